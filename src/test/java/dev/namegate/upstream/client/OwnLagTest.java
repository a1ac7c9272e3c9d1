package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.VirtualTime;
import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UserLookup;

/**
 * A timeout while we shed load (our event loops lag and the admission gate holds a limit) is
 * ours, not the internal service's: it is not retried, answers 503, and neither opens the breaker
 * nor counts as the upstream's timeout. While the loops lag but the gate lets everyone in, or
 * after a stall, the same timeouts are retried and still held against nobody. Without any lag
 * they are retried and do open the breaker. The internal service never
 * answers; the attempts time out on virtual time, moved by the test once each request has
 * arrived, so every count is exact. Netty's own timeouts are set beyond any test's length.
 */
class OwnLagTest {

    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration BACKOFF = Duration.ofMillis(1);
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    private final AtomicBoolean lagging = new AtomicBoolean();
    private final AtomicBoolean shedding = new AtomicBoolean();
    private final AtomicBoolean stalled = new AtomicBoolean();
    @RegisterExtension
    final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("John"));
    @RegisterExtension
    final MockUpstream second = MockUpstream.answering(request -> MockUpstream.name("John"));
    private final VirtualTimeScheduler clock = VirtualTime.scheduler();
    private TestUpstream test;

    /** Timeouts that only the virtual clock reaches, two retries of timeouts, the breaker on a window of four. */
    private Map<String, String> settings(String baseUrls, String... more) {
        return TestUpstream.settings(Map.ofEntries(
                Map.entry("base-urls", baseUrls),
                Map.entry("connect-timeout", "1s"), Map.entry("response-timeout", "19s"),
                Map.entry("attempt-timeout", ATTEMPT_TIMEOUT.toSeconds() + "s"), Map.entry("deadline", "2m"),
                Map.entry("backoff.base", "1ms"), Map.entry("backoff.cap", "1ms"), Map.entry("backoff.jitter", "false"),
                Map.entry("pool.pending-acquire-timeout", "1s"),
                Map.entry("allowances.response-timeouts", "2"),
                Map.entry("budget.enabled", "false"), Map.entry("hedging.enabled", "false"),
                Map.entry("rate-limit.enabled", "false"),
                Map.entry("breaker.window", "4"), Map.entry("breaker.minimum-attempts", "4"),
                Map.entry("breaker.failure-rate-threshold", "90"), Map.entry("breaker.open-for", "1m")), more);
    }

    @BeforeEach
    void start() {
        upstream.holdAnswers();
        second.holdAnswers();
        test = new TestUpstream(settings(upstream.baseUrl()), clock,
                TestUpstream.ownLoad(lagging::get, () -> lagging.get() || stalled.get(),
                        () -> lagging.get() && shedding.get()));
    }

    @AfterEach
    void stop() {
        test.close();
        clock.dispose();
    }

    /**
     * The lookup, subscribed, with {@code attempts} attempts in a row timing out, each once its
     * request has arrived, then their backoff passing. The count is read before the subscription:
     * read after it, a fast first request would already be in it and never awaited.
     */
    private StepVerifier.Step<UserLookup> timingOut(Mono<UserLookup> lookup, int attempts, IntSupplier requests) {
        int before = requests.getAsInt();
        return StepVerifier.create(lookup).then(() -> {
            for (int n = 1; n <= attempts; n++) {
                int arrived = before + n;
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> requests.getAsInt() >= arrived);
                clock.advanceTimeBy(ATTEMPT_TIMEOUT);
                clock.advanceTimeBy(BACKOFF);
            }
        });
    }

    private StepVerifier.Step<UserLookup> timingOut(int id, String requestId, int attempts) {
        return timingOut(test.client.lookup(id, requestId, TRACE_ID), attempts, upstream::requestCount);
    }

    @Test
    void whileWeShedLoadATimeoutIsNotRetriedAndNotHeldAgainstTheUpstream() {
        lagging.set(true);
        shedding.set(true);
        for (int i = 0; i < 6; i++) {
            timingOut(1, "req-" + i, 1)
                    .expectErrorSatisfies(e -> {
                        assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.UNAVAILABLE);
                        assertThat(((UpstreamFailure) e).retryAfter()).isEqualTo(Duration.ofSeconds(1));
                    })
                    .verify(Duration.ofSeconds(10));
        }
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "own_overload")).isEqualTo(6);
        assertThat(attempts()).as("one attempt per lookup, no retries").isEqualTo(6);
        assertThat(upstream.requestCount()).isEqualTo(6);
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open"))
                .as("six timeouts of ours did not open the breaker").isZero();
    }

    @Test
    void withoutTheLagTheSameTimeoutsAreRetriedAndOpenTheBreaker() {
        timingOut(1, "req-a", 3)
                .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.DEADLINE))
                .verify(Duration.ofSeconds(10));
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "response_timeout"))
                .as("first attempt and two retries").isEqualTo(3);

        // the fourth timeout fills the breaker's window: its retry is refused
        timingOut(2, "req-b", 1)
                .expectErrorSatisfies(e -> {
                    assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.UNAVAILABLE);
                    assertThat(((UpstreamFailure) e).reason()).isEqualTo("circuit breaker open");
                })
                .verify(Duration.ofSeconds(10));
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "response_timeout")).isEqualTo(4);
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open")).isEqualTo(1);
        assertThat(upstream.requestCount()).isEqualTo(4);
    }

    @Test
    void whileWeLagButTheGateLetsEveryoneInTimeoutsAreRetriedButDoNotOpenTheBreaker() {
        lagging.set(true); // a saturated closed loop: the loops run late, every request is let in
        for (int i = 0; i < 2; i++) {
            timingOut(1, "req-" + i, 3)
                    .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.DEADLINE))
                    .verify(Duration.ofSeconds(10));
        }
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "own_overload")).isZero();
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "response_timeout"))
                .as("first attempts and their retries").isEqualTo(6);
        assertThat(upstream.requestCount()).isEqualTo(6);
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open"))
                .as("six timeouts of our lag did not open the breaker").isZero();
    }

    @Test
    void afterAStallWithoutLoadTimeoutsAreRetriedButDoNotOpenTheBreaker() {
        stalled.set(true); // a GC pause, say: our loops ran late, but little is in flight
        for (int i = 0; i < 2; i++) {
            timingOut(1, "req-" + i, 3)
                    .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.DEADLINE))
                    .verify(Duration.ofSeconds(10));
        }
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "response_timeout"))
                .as("first attempts and their retries").isEqualTo(6);
        assertThat(attempts()).isEqualTo(6);
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open"))
                .as("six timeouts right after a stall did not open the breaker").isZero();
    }

    @Test
    void afterAStallTimeoutsDoNotEjectHealthyInstancesButWithoutOneTheyDo() {
        Map<String, String> twoInstances = settings(upstream.baseUrl() + "," + second.baseUrl(),
                "allowances.response-timeouts", "3", "outliers.consecutive-timeouts", "2", "breaker.enabled", "false",
                // out for longer than the lookup's four attempts of 20 s take
                "outliers.base-ejection", "10m", "outliers.max-ejection", "1h");
        assertThat(ejectedAfterFourTimeouts(twoInstances, true)).as("timeouts right after our stall").isZero();
        assertThat(ejectedAfterFourTimeouts(twoInstances, false)).as("the same timeouts, no stall").isEqualTo(2);
    }

    /** Instances ejected after one lookup whose four attempts (two per instance) all time out. */
    private double ejectedAfterFourTimeouts(Map<String, String> settings, boolean stall) {
        try (TestUpstream two = new TestUpstream(settings, clock, TestUpstream.ownLoad(() -> false, () -> stall, () -> false))) {
            timingOut(two.client.lookup(1, "req-eject", TRACE_ID), 4, () -> upstream.requestCount() + second.requestCount())
                    .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.DEADLINE))
                    .verify(Duration.ofSeconds(10));
            assertThat(two.counter("namegate.upstream.attempts", "outcome", "response_timeout")).isEqualTo(4);
            return two.meters.find("namegate.upstream.instances.ejected").gauge().value();
        }
    }

    /** Attempts made, whatever their outcome. */
    private double attempts() {
        return test.meters.find("namegate.upstream.attempts").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
