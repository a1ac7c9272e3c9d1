package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import org.springframework.web.server.handler.DefaultWebFilterChain;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoop;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import dev.namegate.hardening.SecurityHeadersFilter;

/** While the loops lag, public requests are refused with a 503 problem; probes never are. */
class LoadShedFilterTest {

    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    // no relief to speak of, so the share stays where the test put it
    private final OverloadProperties properties = new OverloadProperties(true, Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(250), 0.5, 0.0001, 0.9, Duration.ofSeconds(2), 0, Duration.ofMillis(50));
    private final RequestsInFlight inFlight = new RequestsInFlight();
    private final LoadShedder shedder = new LoadShedder(properties, inFlight, clock::get);
    private final EventLoopProbe lag = new EventLoopProbe(() -> List.of(loop), properties, clock::get, shedder);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LoadShedFilter filter = new LoadShedFilter(shedder, inFlight, properties, meters);

    @AfterEach
    void stop() {
        lag.stop();
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }

    @Test
    void punctualLoopsLetEveryRequestThrough() {
        lag.start();
        AtomicInteger passed = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            filter.filter(exchange("/users/" + i), e -> Mono.fromRunnable(passed::incrementAndGet)).block();
        }
        assertThat(passed).hasValue(100);
        assertThat(meters.counter("namegate.overload.shed").count()).isZero();
    }

    @Test
    void aLagWithFewRequestsInProgressRefusesNothing() {
        OverloadProperties fourInFlight = new OverloadProperties(true, Duration.ofMillis(5),
                Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(250), 0.5, 0.0001, 0.9, Duration.ofSeconds(2), 4, Duration.ofMillis(50));
        RequestsInFlight inFlight = new RequestsInFlight();
        LoadShedder shedder = new LoadShedder(fourInFlight, inFlight, clock::get);
        EventLoopProbe lag = new EventLoopProbe(() -> List.of(loop), fourInFlight, clock::get, shedder);
        OwnLoadSignals signals = new OwnLoadSignals(lag, inFlight, fourInFlight);
        LoadShedFilter atLeastFour = new LoadShedFilter(shedder, inFlight, fourInFlight, meters);
        lag.start();
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> shedder.share() >= 0.45);
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> shedder.share() >= 0.85);

        Sinks.Empty<Void> held = Sinks.empty();
        for (int i = 0; i < 4; i++) { // four requests in progress, none refused
            assertThat(signals.overloaded()).as("lagging, but only %d in progress", i).isFalse();
            MockServerWebExchange exchange = exchange("/users/" + i);
            atLeastFour.filter(exchange, e -> held.asMono()).subscribe();
            assertThat(exchange.getResponse().getStatusCode()).isNull();
        }
        assertThat(signals.overloaded()).isTrue();
        int refused = 0;
        for (int i = 0; i < 50; i++) { // with four in progress, most of the rest are
            MockServerWebExchange exchange = exchange("/users/" + i);
            atLeastFour.filter(exchange, e -> held.asMono()).subscribe();
            refused += exchange.getResponse().getStatusCode() == HttpStatus.SERVICE_UNAVAILABLE ? 1 : 0;
        }
        // 50 draws at 0.9 (mean 45): fewer than 30 is seven standard deviations off; all 50 is likely enough
        assertThat(refused).isBetween(30, 50);
        held.tryEmitEmpty();
        MockServerWebExchange after = exchange("/users/1");
        atLeastFour.filter(after, e -> Mono.empty()).block();
        assertThat(after.getResponse().getStatusCode()).as("all finished: below four again").isNull();
        assertThat(signals.overloaded()).isFalse();
        lag.stop();
    }

    @Test
    void aLagWithFewerRequestsInProgressThanFinishWithinTheQueueTimeRefusesNothing() {
        lag.start();
        for (int i = 0; i < 1_000; i++) { // a second's work: 1,000 requests finished
            filter.filter(exchange("/users/" + i), e -> Mono.empty()).block();
        }
        clock.addAndGet(Duration.ofSeconds(1).toNanos()); // the next probe runs late: half is shed
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> shedder.share() >= 0.45);
        assertThat(shedder.finishedPerSecond()).isCloseTo(1_000, within(1.0));
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // and again: the maximum, 0.9
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> shedder.share() >= 0.85);

        // 1,000 finished per second, 50 ms of queue: up to 50 in progress all finish in time
        Sinks.Empty<Void> held = Sinks.empty();
        for (int i = 0; i < 50; i++) {
            MockServerWebExchange exchange = exchange("/users/" + i);
            filter.filter(exchange, e -> held.asMono()).subscribe();
            assertThat(exchange.getResponse().getStatusCode()).as("request %d, %d in progress", i, i).isNull();
        }
        int refused = 0;
        for (int i = 0; i < 100; i++) { // beyond that, most are
            MockServerWebExchange exchange = exchange("/users/" + i);
            filter.filter(exchange, e -> held.asMono()).subscribe();
            refused += exchange.getResponse().getStatusCode() == HttpStatus.SERVICE_UNAVAILABLE ? 1 : 0;
        }
        // 100 draws at 0.9 (mean 90): fewer than 70 is nearly seven standard deviations off
        assertThat(refused).isBetween(70, 100);
        held.tryEmitEmpty();
    }

    private void lagUntilNineTenthsAreShed() {
        lag.start();
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // the next probe runs late: half is shed
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> shedder.share() >= 0.45);
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // and again: the maximum, 0.9
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> shedder.share() >= 0.85);
    }

    @Test
    void aRefusalCarriesTheHardeningHeadersOfTheFilterBeforeIt() {
        lagUntilNineTenthsAreShed();
        MockServerWebExchange refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            MockServerWebExchange exchange = exchange("/users/" + i);
            new DefaultWebFilterChain(e -> Mono.empty(), List.of(new SecurityHeadersFilter(), filter))
                    .filter(exchange).block();
            refused = exchange.getResponse().getStatusCode() == HttpStatus.SERVICE_UNAVAILABLE ? exchange : null;
        }
        assertThat(refused).as("a refusal among 100 requests at a shed share of 0.9").isNotNull();
        assertThat(refused.getResponse().getHeaders().getFirst("Content-Security-Policy"))
                .isEqualTo("default-src 'none'; frame-ancestors 'none'");
        assertThat(refused.getResponse().getHeaders().getCacheControl()).isEqualTo("no-store");
        assertThat(refused.getResponse().getHeaders().getFirst("X-Content-Type-Options")).isEqualTo("nosniff");
    }

    @Test
    void laggingLoopsRefuseMostPublicRequestsWithA503Problem() {
        lagUntilNineTenthsAreShed();

        AtomicInteger passed = new AtomicInteger();
        int refused = 0;
        MockServerWebExchange sample = null;
        for (int i = 0; i < 200; i++) {
            MockServerWebExchange exchange = exchange("/users/" + i);
            filter.filter(exchange, e -> Mono.fromRunnable(passed::incrementAndGet)).block();
            if (exchange.getResponse().getStatusCode() == HttpStatus.SERVICE_UNAVAILABLE) {
                refused++;
                sample = exchange;
            }
        }
        // 200 draws at a shed share of 0.9 (mean 180, less 0.0001 per punctual probe while they
        // run): fewer than 140 is over seven standard deviations off, all 200 has p < 1e-9
        assertThat(refused).isBetween(140, 199);
        assertThat(passed.get()).isEqualTo(200 - refused);
        assertThat(meters.counter("namegate.overload.shed").count()).isEqualTo(refused);
        assertThat(sample.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("2");
        assertThat(sample.getResponse().getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(sample.getResponse().getBodyAsString().block())
                .contains("\"type\":\"https://namegate.dev/problems/overloaded\"", "\"status\":503");

        AtomicInteger probes = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
            filter.filter(exchange("/readyz"), e -> Mono.fromRunnable(probes::incrementAndGet)).block();
        }
        assertThat(probes).as("probes are never refused").hasValue(50);
    }

    private static MockServerWebExchange exchange(String path) {
        return MockServerWebExchange.from(MockServerHttpRequest.get(path));
    }
}
