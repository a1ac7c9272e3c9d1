package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.handler.DefaultWebFilterChain;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import dev.namegate.hardening.SecurityHeadersFilter;

/** Public requests pass the admission gate: over its limit they wait, too long a wait is a 503 problem; probes never wait. */
class LoadShedFilterTest {

    private static final long LATE = Duration.ofMillis(30).toNanos();

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final OverloadProperties properties = new OverloadProperties(true, Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(250), 0.9, 1.1, Duration.ofSeconds(2), 2,
            Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(40), Duration.ofSeconds(1),
            0.1, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMillis(100), AdmissionGateTest.NO_CAP);
    private final RequestsInFlight inFlight = new RequestsInFlight();
    private final AdmissionGate gate = new AdmissionGate(properties, inFlight, clock::get, () -> 0);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final OverloadDrill drill = new OverloadDrill(properties, meters, clock::get, () -> 0);
    private final LoadShedFilter filter = new LoadShedFilter(gate, drill, properties, meters);
    private final Sinks.Empty<Void> held = Sinks.empty();

    @Test
    void punctualLoopsLetEveryRequestThroughAtOnce() {
        AtomicInteger passed = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            filter.filter(exchange("/users/" + i), e -> Mono.fromRunnable(passed::incrementAndGet)).block();
        }
        assertThat(passed).hasValue(100);
        assertThat(inFlight.count()).as("each left when it finished").isZero();
        assertThat(meters.counter("namegate.overload.shed", "when", "after_waiting").count()).isZero();
    }

    /** Two requests held in progress, then a late probe: the limit is two. */
    private void limitToTwoInProgress() {
        for (int i = 0; i < 2; i++) {
            filter.filter(exchange("/users/" + i), e -> held.asMono()).subscribe();
        }
        gate.probed(LATE);
        assertThat(gate.limit()).isEqualTo(2);
    }

    @Test
    void requestsOverTheLimitWaitAndRunInTheirTurnWhenEarlierOnesFinish() {
        limitToTwoInProgress();
        List<Integer> ran = new ArrayList<>();
        List<MockServerWebExchange> waiting = new ArrayList<>();
        for (int i = 2; i < 5; i++) {
            int id = i;
            MockServerWebExchange exchange = exchange("/users/" + i);
            filter.filter(exchange, e -> Mono.fromRunnable(() -> ran.add(id))).subscribe();
            waiting.add(exchange);
        }
        assertThat(ran).isEmpty();
        assertThat(gate.waiting()).isEqualTo(3);

        held.tryEmitEmpty(); // the two held finish: each lets the next in, which finishes at once
        assertThat(ran).containsExactly(2, 3, 4);
        assertThat(waiting).allSatisfy(e -> assertThat(e.getResponse().getStatusCode()).isNull());
        assertThat(meters.counter("namegate.overload.shed", "when", "after_waiting").count()).isZero();
        assertThat(inFlight.count()).isZero();
    }

    @Test
    void aRequestThatWaitedTheQueueTimeGetsA503ProblemWithTheHardeningHeadersAndNeverRuns() {
        limitToTwoInProgress();
        AtomicInteger ran = new AtomicInteger();
        MockServerWebExchange exchange = exchange("/users/7");
        ServerRequestObservationContext observation = new ServerRequestObservationContext(exchange.getRequest(),
                exchange.getResponse(), exchange.getAttributes());
        exchange.getAttributes().put(ServerRequestObservationContext.CURRENT_OBSERVATION_CONTEXT_ATTRIBUTE, observation);
        new DefaultWebFilterChain(e -> Mono.fromRunnable(ran::incrementAndGet),
                List.of(new SecurityHeadersFilter(), filter)).filter(exchange).subscribe();
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        gate.probed(LATE);

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("2");
        assertThat(exchange.getResponse().getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(exchange.getResponse().getBodyAsString().block())
                .contains("\"type\":\"https://namegate.dev/problems/overloaded\"", "\"status\":503");
        assertThat(exchange.getResponse().getHeaders().getFirst("Content-Security-Policy"))
                .isEqualTo("default-src 'none'; frame-ancestors 'none'");
        assertThat(exchange.getResponse().getHeaders().getCacheControl()).isEqualTo("no-store");
        assertThat(ran).hasValue(0);
        assertThat(meters.counter("namegate.overload.shed", "when", "after_waiting").count()).isEqualTo(1);
        assertThat(observation.getPathPattern()).as("counted under the route, as the objective counts it")
                .isEqualTo("/users/{id}");
        held.tryEmitEmpty();
        assertThat(ran).as("a refused request is not started later").hasValue(0);
    }

    @Test
    void duringADrillAMarkedLookupWaitsItsTurnInTheDrillsGateIsRefusedCountedApartAndTheGateUntouched() {
        drill.start();
        AtomicInteger ran = new AtomicInteger();
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/7")
                .header(OverloadDrill.HEADER, OverloadDrill.AFTER_TURN_MARK));
        ServerRequestObservationContext observation = new ServerRequestObservationContext(exchange.getRequest(),
                exchange.getResponse(), exchange.getAttributes());
        exchange.getAttributes().put(ServerRequestObservationContext.CURRENT_OBSERVATION_CONTEXT_ATTRIBUTE, observation);
        filter.filter(exchange, e -> Mono.fromRunnable(ran::incrementAndGet)).subscribe();
        assertThat(drill.gate().waiting()).as("the drill's gate admits nobody").isEqualTo(1);
        assertThat(exchange.getResponse().getStatusCode()).isNull();
        clock.addAndGet(properties.shedQueueTime().toNanos());
        drill.gate().probed(0);

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("2");
        assertThat(exchange.getResponse().getBodyAsString().block())
                .contains("\"type\":\"https://namegate.dev/problems/overloaded\"", "\"status\":503");
        assertThat(ran).hasValue(0);
        assertThat(meters.counter("namegate.overload.shed", "when", "drill_after_waiting").count()).isEqualTo(1);
        assertThat(meters.counter("namegate.overload.shed", "when", "after_waiting").count()).isZero();
        assertThat(observation.getPathPattern()).as("outside the availability objective").isEqualTo("WARMUP_DRILL");
        assertThat(inFlight.count()).isZero();
        assertThat(gate.waiting()).isZero();
    }

    @Test
    void duringADrillLookupsMarkedToBeLetInAreLetInOneAtATimeAfterTheirTurnAndCountedAsTheDrills() {
        drill.start();
        List<MockServerWebExchange> exchanges = new ArrayList<>();
        List<ServerRequestObservationContext> observations = new ArrayList<>();
        List<String> ran = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/" + i)
                    .header(OverloadDrill.HEADER, OverloadDrill.LET_IN_MARK));
            ServerRequestObservationContext observation = new ServerRequestObservationContext(exchange.getRequest(),
                    exchange.getResponse(), exchange.getAttributes());
            exchange.getAttributes().put(ServerRequestObservationContext.CURRENT_OBSERVATION_CONTEXT_ATTRIBUTE, observation);
            // routing tags the answer with the route, as the router does
            String id = Integer.toString(i);
            boolean first = i == 0;
            Mono<Void> handled = Mono.fromRunnable(() -> {
                observation.setPathPattern("/users/{id}");
                ran.add(id);
            });
            filter.filter(exchange, e -> first ? handled.then(held.asMono()) : handled).subscribe();
            exchanges.add(exchange);
            observations.add(observation);
        }
        assertThat(ran).as("the first let in at once, the others wait for it").containsExactly("0");
        assertThat(drill.letInGate().waiting()).isEqualTo(2);

        held.tryEmitEmpty();
        assertThat(ran).as("each let in as the one before leaves").containsExactly("0", "1", "2");
        assertThat(observations).as("counted as the drill's, outside the availability objective")
                .allSatisfy(observation -> assertThat(observation.getPathPattern()).isEqualTo("WARMUP_DRILL"));
        assertThat(exchanges).allSatisfy(e -> assertThat(e.getResponse().getStatusCode()).isNull());
        assertThat(meters.find("namegate.overload.shed").counters()).allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(drill.letInGate().waiting()).isZero();
        assertThat(inFlight.count()).as("the service's gate untouched").isZero();
        assertThat(gate.waiting()).isZero();
    }

    @Test
    void aLookupMarkedToBeLetInThatWaitedTheQueueTimeIsRefusedAsTheDrills() {
        drill.start();
        filter.filter(MockServerWebExchange.from(MockServerHttpRequest.get("/users/1")
                .header(OverloadDrill.HEADER, OverloadDrill.LET_IN_MARK)), e -> held.asMono()).subscribe();
        AtomicInteger ran = new AtomicInteger();
        MockServerWebExchange second = MockServerWebExchange.from(MockServerHttpRequest.get("/users/2")
                .header(OverloadDrill.HEADER, OverloadDrill.LET_IN_MARK));
        filter.filter(second, e -> Mono.fromRunnable(ran::incrementAndGet)).subscribe();
        clock.addAndGet(properties.shedQueueTime().toNanos());
        drill.listenerAfter(gate).probed(0);

        assertThat(second.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(ran).hasValue(0);
        assertThat(meters.counter("namegate.overload.shed", "when", "drill_after_waiting").count()).isEqualTo(1);
        assertThat(meters.counter("namegate.overload.shed", "when", "after_waiting").count()).isZero();
    }

    @Test
    void theDrillsMarkMeansNothingOutsideADrillAndUnmarkedRequestsPassDuringOne() {
        AtomicInteger ran = new AtomicInteger();
        filter.filter(MockServerWebExchange.from(MockServerHttpRequest.get("/users/7").header(OverloadDrill.HEADER, OverloadDrill.AFTER_TURN_MARK)),
                e -> Mono.fromRunnable(ran::incrementAndGet)).block();
        drill.start();
        filter.filter(exchange("/users/8"), e -> Mono.fromRunnable(ran::incrementAndGet)).block();
        drill.end();
        filter.filter(MockServerWebExchange.from(MockServerHttpRequest.get("/users/9").header(OverloadDrill.HEADER, OverloadDrill.AFTER_TURN_MARK)),
                e -> Mono.fromRunnable(ran::incrementAndGet)).block();
        assertThat(ran).hasValue(3);
        assertThat(meters.find("namegate.overload.shed").counters()).allSatisfy(c -> assertThat(c.count()).isZero());
    }

    @Test
    void probesAndMetricsNeverWait() {
        limitToTwoInProgress();
        AtomicInteger probes = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
            filter.filter(exchange("/readyz"), e -> Mono.fromRunnable(probes::incrementAndGet)).block();
        }
        assertThat(probes).hasValue(50);
        assertThat(gate.waiting()).isZero();
        held.tryEmitEmpty();
    }

    private static MockServerWebExchange exchange(String path) {
        return MockServerWebExchange.from(MockServerHttpRequest.get(path));
    }
}
