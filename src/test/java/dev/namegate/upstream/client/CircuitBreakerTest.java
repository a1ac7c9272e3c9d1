package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.VirtualTime;
import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UserLookup;

/**
 * The breaker over attempts: it opens when nearly every attempt fails, refuses without calling
 * the internal service while open, lets probes through after its open time, and closes when they
 * succeed; what counts for and against it is each outcome's. The client runs on virtual time,
 * moved by hand; the network is real.
 */
class CircuitBreakerTest {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final UserLookup JOHN = new UserLookup.Found(1, "John");

    @RegisterExtension
    final MockUpstream upstream = MockUpstream.queued();
    /** The client's one clock, moved by the test: it times the breaker's open state and the hedges. */
    private final VirtualTimeScheduler clock = VirtualTime.scheduler();
    private TestUpstream test;

    /** One attempt per lookup (easy to count), only the breaker on, with {@code settings} on top. */
    private void start(String... settings) {
        test = new TestUpstream(TestUpstream.settings(Map.ofEntries(
                Map.entry("base-urls", upstream.baseUrl()),
                Map.entry("connect-timeout", "1s"), Map.entry("response-timeout", "2s"),
                Map.entry("attempt-timeout", "3s"), Map.entry("deadline", "5s"),
                Map.entry("pool.pending-acquire-timeout", "1s"),
                Map.entry("allowances.statuses", "0"),
                Map.entry("budget.enabled", "false"), Map.entry("hedging.enabled", "false"),
                Map.entry("rate-limit.enabled", "false"),
                Map.entry("breaker.window", "10"), Map.entry("breaker.minimum-attempts", "5"),
                Map.entry("breaker.failure-rate-threshold", "90"), Map.entry("breaker.open-for", "2s"),
                Map.entry("breaker.probes", "2")), settings), clock, OwnLoad.NONE);
    }

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
        clock.dispose();
    }

    private void expectFailure(UpstreamFailure.Kind kind, String reason) {
        StepVerifier.create(test.client.lookup(1, "req", TRACE_ID))
                .expectErrorSatisfies(e -> {
                    assertThat(((UpstreamFailure) e).kind()).isEqualTo(kind);
                    assertThat(((UpstreamFailure) e).reason()).contains(reason);
                })
                .verify(Duration.ofSeconds(10));
    }

    private double breakerState(String state) {
        return test.meters.get("namegate.upstream.breaker.state").tag("state", state).gauge().value();
    }

    private void expectJohn() {
        StepVerifier.create(test.client.lookup(1, "req", TRACE_ID)).expectNext(JOHN).expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    private void answerFailing(int times) {
        for (int i = 0; i < times; i++) {
            upstream.enqueue(MockUpstream.status(500, "Internal error"));
        }
    }

    @Test
    void opensOnFailuresRefusesWhileOpenProbesAndClosesOnRecovery() {
        start();
        answerFailing(5);
        for (int i = 0; i < 5; i++) {
            expectFailure(UpstreamFailure.Kind.FAILED, "status 500");
        }
        assertThat(upstream.requestCount()).isEqualTo(5);

        // open: refused at once, the internal service is not called, and the 503 says when to come back
        StepVerifier.create(test.client.lookup(1, "req", TRACE_ID))
                .expectErrorSatisfies(e -> {
                    assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.UNAVAILABLE);
                    assertThat(((UpstreamFailure) e).reason()).contains("circuit breaker open");
                    assertThat(((UpstreamFailure) e).retryAfter()).isEqualTo(Duration.ofSeconds(2));
                })
                .verify(Duration.ofSeconds(10));
        assertThat(upstream.requestCount()).isEqualTo(5);
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open")).isEqualTo(1);
        assertThat(breakerState("open")).isEqualTo(1);
        assertThat(breakerState("closed")).isZero();

        // after the open time, probes go through; the internal service has recovered
        clock.advanceTimeBy(Duration.ofMillis(2001));
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(MockUpstream.name("John"));
        }
        expectJohn();
        expectJohn();
        assertThat(upstream.requestCount()).isEqualTo(7);
        assertThat(breakerState("closed")).isEqualTo(1);
        assertThat(breakerState("open")).isZero();
        assertThat(test.meters.get("namegate.upstream.breaker.state").gauges()).as("one series per state")
                .hasSize(CircuitBreaker.State.values().length);
        expectJohn();
    }

    @Test
    void aFailedProbeOpensItAgain() {
        start();
        answerFailing(7);
        for (int i = 0; i < 5; i++) {
            expectFailure(UpstreamFailure.Kind.FAILED, "status 500");
        }
        clock.advanceTimeBy(Duration.ofMillis(2001));
        expectFailure(UpstreamFailure.Kind.FAILED, "status 500"); // a probe, still failing
        expectFailure(UpstreamFailure.Kind.FAILED, "status 500"); // the second probe
        expectFailure(UpstreamFailure.Kind.UNAVAILABLE, "circuit breaker open");
        assertThat(upstream.requestCount()).isEqualTo(7);
    }

    @Test
    void aFlakyUpstreamDoesNotOpenIt() {
        start();
        for (int i = 0; i < 40; i++) {
            if (i % 2 == 0) {
                upstream.enqueue(MockUpstream.status(500, "Internal error"));
                expectFailure(UpstreamFailure.Kind.FAILED, "status 500");
            } else {
                upstream.enqueue(MockUpstream.name("John"));
                expectJohn();
            }
        }
        assertThat(upstream.requestCount()).isEqualTo(40);
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open")).isZero();
        assertThat(breakerState("closed")).isEqualTo(1);
    }

    /**
     * A window of two at a 60% threshold: after failure, not-found, failure the breaker is still
     * closed only if the not-found counted as a success (as a failure it opens at the second
     * answer; ignored, the two failures fill the window and open it).
     */
    @Test
    void aNotFoundCountsAsASuccess() {
        start("breaker.window", "2", "breaker.minimum-attempts", "2", "breaker.failure-rate-threshold", "60");
        upstream.enqueue(MockUpstream.status(500, "Internal error"));
        upstream.enqueue(MockUpstream.status(500, "User not exists."));
        upstream.enqueue(MockUpstream.status(500, "Internal error"));
        upstream.enqueue(MockUpstream.name("John"));

        expectFailure(UpstreamFailure.Kind.FAILED, "status 500");
        StepVerifier.create(test.client.lookup(1, "req", TRACE_ID)).expectNext(new UserLookup.NotFound(1))
                .expectComplete().verify(Duration.ofSeconds(10));
        expectFailure(UpstreamFailure.Kind.FAILED, "status 500");

        assertThat(breakerState("closed")).as("closed").isEqualTo(1);
        expectJohn();
        assertThat(upstream.requestCount()).isEqualTo(4);
    }

    /**
     * The same window: a 429 between two failures leaves the breaker closed after the 429 (not a
     * failure) and open after the second failure (not a success either: it took no place in the
     * window).
     */
    @Test
    void aRateLimitedAnswerCountsNeitherWay() {
        start("breaker.window", "2", "breaker.minimum-attempts", "2", "breaker.failure-rate-threshold", "60");
        upstream.enqueue(MockUpstream.status(500, "Internal error"));
        upstream.enqueue(MockUpstream.status(429, "slow down"));
        upstream.enqueue(MockUpstream.status(500, "Internal error"));

        expectFailure(UpstreamFailure.Kind.FAILED, "status 500");
        expectFailure(UpstreamFailure.Kind.UNAVAILABLE, "status 429");
        assertThat(breakerState("closed")).as("closed after the 429").isEqualTo(1);
        expectFailure(UpstreamFailure.Kind.FAILED, "status 500");
        assertThat(breakerState("open")).as("open after the second failure").isEqualTo(1);
        expectFailure(UpstreamFailure.Kind.UNAVAILABLE, "circuit breaker open");
        assertThat(upstream.requestCount()).isEqualTo(3);
    }

    /**
     * Half-open with two probes and a 50% threshold: the first probe stalls, a hedge (the second
     * probe) wins and the first is cancelled. The cancelled probe must give its permission back
     * and count neither way: then one more probe is let through and its success closes the
     * breaker. Kept, the next lookup would be refused; counted as a failure, the breaker would
     * open again (one failure in two probes).
     */
    @Test
    void aLostHedgeGivesItsProbeBackAndCountsNeitherWay() {
        start("breaker.window", "2", "breaker.minimum-attempts", "2", "breaker.failure-rate-threshold", "50",
                "hedging.enabled", "true", "hedging.adaptive", "false", "hedging.delay", "100ms",
                "hedging.max-hedges", "1");
        answerFailing(2);
        expectFailure(UpstreamFailure.Kind.FAILED, "status 500");
        expectFailure(UpstreamFailure.Kind.FAILED, "status 500");
        assertThat(breakerState("open")).as("open").isEqualTo(1);

        clock.advanceTimeBy(Duration.ofMillis(2001));
        upstream.holdAnswer(3);
        upstream.enqueue(MockUpstream.name("John"));
        upstream.enqueue(MockUpstream.name("John"));
        StepVerifier.create(test.client.lookup(1, "req", TRACE_ID))
                .then(() -> {
                    upstream.awaitRequests(3);
                    clock.advanceTimeBy(Duration.ofMillis(100)); // the hedge goes
                })
                .expectNext(JOHN).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(test.counter("namegate.upstream.hedges.won")).isEqualTo(1);
        assertThat(breakerState("half_open")).as("half-open: one probe counted, one given back").isEqualTo(1);

        expectJohn();
        assertThat(breakerState("closed")).as("closed by two successful probes").isEqualTo(1);
        assertThat(upstream.requestCount()).isEqualTo(5);
    }
}
