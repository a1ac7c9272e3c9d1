package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import dev.namegate.time.EventLoopTimers;
import dev.namegate.upstream.UpstreamFailure;

/**
 * A timeout while our own event loops lag is ours, not the internal service's: it is not retried,
 * answers 503, and neither opens the breaker nor counts as the upstream's timeout. The same
 * timeouts without the lag are retried and do open the breaker.
 */
class OwnLagTest {

    private final AtomicBoolean lagging = new AtomicBoolean();
    private final AtomicBoolean stalled = new AtomicBoolean();
    private final MockWebServer upstream = new MockWebServer();
    private TestUpstream test;

    @BeforeEach
    void start() throws Exception {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).code(200)
                        .setHeader("Content-Type", "application/json").body("{\"name\":\"John\"}").build();
            }
        });
        upstream.start();
        test = new TestUpstream(Map.ofEntries(
                Map.entry("base-urls", "http://127.0.0.1:" + upstream.getPort()),
                Map.entry("connect-timeout", "30ms"), Map.entry("response-timeout", "40ms"),
                Map.entry("attempt-timeout", "50ms"), Map.entry("deadline", "1s"),
                Map.entry("pool.pending-acquire-timeout", "20ms"),
                Map.entry("allowances.response-timeouts", "2"),
                Map.entry("budget.enabled", "false"), Map.entry("hedging.enabled", "false"),
                Map.entry("rate-limit.enabled", "false"),
                Map.entry("breaker.window", "4"), Map.entry("breaker.minimum-attempts", "4"),
                Map.entry("breaker.failure-rate-threshold", "90"), Map.entry("breaker.open-for", "1m")),
                new EventLoopTimers(Schedulers.parallel()),
                TestUpstream.ownLoad(lagging::get, () -> lagging.get() || stalled.get()));
    }

    @AfterEach
    void stop() throws Exception {
        test.close();
        upstream.close();
    }

    @Test
    void whileWeLagATimeoutIsNotRetriedAndNotHeldAgainstTheUpstream() {
        lagging.set(true);
        for (int i = 0; i < 6; i++) {
            StepVerifier.create(test.client.lookup(1, "req-" + i, "0af7651916cd43dd8448eb211c80319c"))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(UpstreamFailure.class);
                        assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.UNAVAILABLE);
                        assertThat(((UpstreamFailure) e).retryAfter()).isEqualTo(Duration.ofSeconds(1));
                    })
                    .verify(Duration.ofSeconds(5));
        }
        assertThat(attempts()).as("one attempt per lookup, no retries").isEqualTo(6);
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "own_overload")).isEqualTo(6);
        assertThat(upstream.getRequestCount()).isLessThanOrEqualTo(6);
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "response_timeout")).isZero();
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open"))
                .as("six timeouts of ours did not open the breaker").isZero();
    }

    @Test
    void withoutTheLagTheSameTimeoutsAreRetriedAndOpenTheBreaker() {
        StepVerifier.create(test.client.lookup(1, "req-a", "0af7651916cd43dd8448eb211c80319c"))
                .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.DEADLINE))
                .verify(Duration.ofSeconds(5));
        assertThat(attempts()).as("first attempt and two retries").isEqualTo(3);
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "response_timeout")).isEqualTo(3);
        StepVerifier.create(test.client.lookup(2, "req-b", "0af7651916cd43dd8448eb211c80319c"))
                .expectError(UpstreamFailure.class)
                .verify(Duration.ofSeconds(5));
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "response_timeout")).isGreaterThanOrEqualTo(4);
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open"))
                .as("the breaker opened on the upstream's timeouts").isPositive();
    }

    @Test
    void afterAStallWithoutLoadTimeoutsAreRetriedButDoNotOpenTheBreaker() {
        stalled.set(true); // a GC pause, say: our loops ran late, but little is in flight
        for (int i = 0; i < 2; i++) {
            StepVerifier.create(test.client.lookup(1, "req-" + i, "0af7651916cd43dd8448eb211c80319c"))
                    .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.DEADLINE))
                    .verify(Duration.ofSeconds(5));
        }
        assertThat(attempts()).as("first attempts and their retries").isEqualTo(6);
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "response_timeout")).isEqualTo(6);
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open"))
                .as("six timeouts right after a stall did not open the breaker").isZero();
    }

    @Test
    void afterAStallTimeoutsDoNotEjectHealthyInstancesButWithoutOneTheyDo() throws Exception {
        try (MockWebServer second = new MockWebServer()) {
            second.setDispatcher(upstream.getDispatcher());
            second.start();
            Map<String, String> twoInstances = Map.ofEntries(
                    Map.entry("base-urls", "http://127.0.0.1:" + upstream.getPort() + ",http://127.0.0.1:" + second.getPort()),
                    Map.entry("connect-timeout", "30ms"), Map.entry("response-timeout", "40ms"),
                    Map.entry("attempt-timeout", "50ms"), Map.entry("deadline", "1s"),
                    Map.entry("pool.pending-acquire-timeout", "20ms"),
                    Map.entry("allowances.response-timeouts", "3"), Map.entry("outliers.consecutive-timeouts", "2"),
                    Map.entry("budget.enabled", "false"), Map.entry("hedging.enabled", "false"),
                    Map.entry("rate-limit.enabled", "false"), Map.entry("breaker.enabled", "false"));
            assertThat(ejectedAfterFourTimeouts(twoInstances, true)).as("timeouts right after our stall").isZero();
            assertThat(ejectedAfterFourTimeouts(twoInstances, false)).as("the same timeouts, no stall").isEqualTo(2);
        }
    }

    /** Instances ejected after one lookup whose four attempts (two per instance) all time out. */
    private double ejectedAfterFourTimeouts(Map<String, String> settings, boolean stall) {
        try (TestUpstream two = new TestUpstream(settings, new EventLoopTimers(Schedulers.parallel()),
                TestUpstream.ownLoad(() -> false, () -> stall))) {
            StepVerifier.create(two.client.lookup(1, "req-eject", "0af7651916cd43dd8448eb211c80319c"))
                    .expectError(UpstreamFailure.class)
                    .verify(Duration.ofSeconds(5));
            assertThat(two.counter("namegate.upstream.attempts", "outcome", "response_timeout")).isEqualTo(4);
            return two.meters.find("namegate.upstream.instances.ejected").gauge().value();
        }
    }

    /** Attempts made, whatever their outcome. */
    private double attempts() {
        return test.meters.find("namegate.upstream.attempts").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
