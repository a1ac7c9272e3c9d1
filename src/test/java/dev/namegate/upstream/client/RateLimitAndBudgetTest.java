package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.VirtualTime;
import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UserLookup;

/**
 * The adaptive rate limiter and the retry budget as the client uses them (every other client test
 * switches them off): a 429 cuts the rate, a lookup without a permit before its deadline and a
 * retry the budget cannot pay for are refused with a 503's failure and never reach the internal
 * service, and hedges go only when a permit is free and the budget pays. On virtual time; Netty's
 * own timeouts are beyond any test's length.
 */
class RateLimitAndBudgetTest {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final UserLookup JOHN = new UserLookup.Found(1, "John");
    private static final Pattern CUT = Pattern.compile("upstream rate limit cut after a 429: 100 -> (\\d+) requests/s");

    @RegisterExtension
    final MockUpstream upstream = MockUpstream.queued();
    private final VirtualTimeScheduler clock = VirtualTime.scheduler();
    private TestUpstream test;

    /** Every guard off but those {@code settings} switch on. */
    private void start(String... settings) {
        test = new TestUpstream(TestUpstream.guardsOff(upstream.baseUrl(), settings), clock, OwnLoad.NONE);
    }

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
        clock.dispose();
    }

    /** One hedge, 100 ms after the first attempt, and the {@code guard} settings. */
    private void startHedging(String... guard) {
        start(Stream.concat(Stream.of(guard), Stream.of("hedging.enabled", "true", "hedging.adaptive", "false",
                "hedging.delay", "100ms", "hedging.max-hedges", "1")).toArray(String[]::new));
    }

    /** A lookup whose first attempt's answer is held back; {@code meanwhile} runs once that request has arrived. */
    private StepVerifier.Step<UserLookup> firstAnswerHeld(Runnable meanwhile) {
        upstream.holdAnswer(1);
        upstream.enqueue(MockUpstream.name("John"));
        return lookup().then(() -> {
            upstream.awaitRequests(1);
            meanwhile.run();
        });
    }

    private StepVerifier.FirstStep<UserLookup> lookup() {
        return StepVerifier.create(test.client.lookup(1, "req", TRACE_ID));
    }

    private void expectUnavailable(String reason, Duration retryAfter) {
        lookup().expectErrorSatisfies(e -> {
            assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.UNAVAILABLE);
            assertThat(((UpstreamFailure) e).reason()).isEqualTo(reason);
            assertThat(((UpstreamFailure) e).retryAfter()).isEqualTo(retryAfter);
        }).verify(Duration.ofSeconds(10));
    }

    private double rate() {
        return test.meters.get("namegate.upstream.rate.limit").gauge().value();
    }

    private double refusals(String reason) {
        return test.counter("namegate.upstream.refusals", "reason", reason);
    }

    @Test
    void aRateLimitedAnswerCutsTheRateAndSaysSo() {
        start("rate-limit.enabled", "true", "rate-limit.ceiling", "100", "allowances.statuses", "0");
        upstream.enqueue(MockUpstream.status(429, "slow down"));
        assertThat(rate()).isEqualTo(100);

        try (LogCapture guards = LogCapture.of("dev.namegate.upstream.guards")) {
            expectUnavailable("retries exhausted (STATUSES), last: status 429", Duration.ofSeconds(1));
            assertThat(guards.messages()).hasSize(1);
            Matcher cut = CUT.matcher(guards.messages().get(0));
            assertThat(cut.matches()).as(guards.messages().get(0)).isTrue();
            assertThat(rate()).isLessThan(100).isEqualTo(Double.parseDouble(cut.group(1)), org.assertj.core.data.Offset.offset(0.5));
        }
    }

    /** One permit per 100 s: the second lookup's permit would come long after its 30 s deadline. */
    @Test
    void withoutAPermitBeforeTheDeadlineALookupIs503AndNeverSent() {
        start("rate-limit.enabled", "true", "rate-limit.ceiling", "0.01", "rate-limit.floor", "0.01");
        upstream.enqueue(MockUpstream.name("John"));
        upstream.enqueue(MockUpstream.name("John"));

        lookup().expectNext(JOHN).expectComplete().verify(Duration.ofSeconds(10));
        expectUnavailable("no upstream rate permit before the deadline", Duration.ofSeconds(1));
        assertThat(refusals("rate_limit")).isEqualTo(1);
        assertThat(upstream.requestCount()).isEqualTo(1);

        clock.advanceTimeBy(Duration.ofSeconds(100)); // the next permit is free
        lookup().expectNext(JOHN).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(upstream.requestCount()).isEqualTo(2);
    }

    @Test
    void aRetryTheBudgetCannotPayForIs503InsteadAndSaysSo() {
        start("budget.enabled", "true", "budget.ratio", "0", "budget.min-per-second", "0");
        upstream.enqueue(MockUpstream.status(500, "Internal error"));
        upstream.enqueue(MockUpstream.name("must not be fetched"));

        try (LogCapture guards = LogCapture.of("dev.namegate.upstream.guards")) {
            expectUnavailable("retry budget spent, last: status 500", Duration.ofSeconds(1));
            assertThat(guards.messages()).containsExactly(
                    "retry budget spent: retries and hedges are refused until traffic earns more");
        }
        assertThat(refusals("budget")).isEqualTo(1);
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    /** One permit per second: the hedge due at 100 ms waits for the next, at 1 s. */
    @Test
    void aHedgeGoesOnlyWhenARatePermitIsFree() {
        startHedging("rate-limit.enabled", "true", "rate-limit.ceiling", "1", "rate-limit.floor", "1");

        firstAnswerHeld(() -> {
            clock.advanceTimeBy(Duration.ofMillis(990));
            assertThat(test.counter("namegate.upstream.hedges.sent")).as("no hedge without a permit").isZero();
            assertThat(upstream.requestCount()).isEqualTo(1);
            clock.advanceTimeBy(Duration.ofMillis(10));
        }).expectNext(JOHN).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(test.counter("namegate.upstream.hedges.sent")).isEqualTo(1);
        assertThat(test.counter("namegate.upstream.hedges.won")).isEqualTo(1);
        assertThat(upstream.requestCount()).isEqualTo(2);
        assertThat(refusals("rate_limit")).as("a hedge is not refused, only not sent yet").isZero();
        assertThat(test.counter("namegate.upstream.hedges.held.back")).as("asked again every few ms, counted once")
                .isEqualTo(1);
    }

    @Test
    void aHedgeGoesOnlyWhenTheBudgetPaysForIt() {
        startHedging("budget.enabled", "true", "budget.ratio", "0", "budget.min-per-second", "0");

        firstAnswerHeld(() -> {
            clock.advanceTimeBy(Duration.ofSeconds(1));
            assertThat(test.counter("namegate.upstream.hedges.sent")).as("the budget pays for no hedge").isZero();
            assertThat(refusals("budget")).isEqualTo(1);
            upstream.releaseAnswers(); // the first attempt answers after all
        }).expectNext(JOHN).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(upstream.requestCount()).isEqualTo(1);
        assertThat(test.counter("namegate.upstream.hedges.held.back")).as("the budget refused it, not the rate").isZero();
    }
}
