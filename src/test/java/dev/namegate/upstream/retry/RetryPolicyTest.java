package dev.namegate.upstream.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UpstreamProperties;
import dev.namegate.upstream.attempt.AttemptFailure;
import dev.namegate.upstream.attempt.AttemptOutcome.Allowance;
import dev.namegate.upstream.attempt.AttemptOutcome;


/**
 * The retry policy in virtual time: jitter is off, so every delay is exact, and the deadline is
 * checked against the virtual clock.
 */
class RetryPolicyTest {

    private static final AttemptFailure STATUS_500 = new AttemptFailure(AttemptOutcome.TRANSIENT_STATUS, 500, null, "status 500");
    private static final AttemptFailure CONNECT = AttemptFailure.of(AttemptOutcome.CONNECT_FAILURE, "connect timeout after 5 ms");
    private static final AttemptFailure TIMEOUT = AttemptFailure.of(AttemptOutcome.RESPONSE_TIMEOUT, "response timeout after 25 ms");
    private static final AttemptFailure CLOSED = AttemptFailure.of(AttemptOutcome.CONNECTION_CLOSED, "connection closed before response");

    /** Attempt start times in virtual milliseconds, and a script of what each attempt does. */
    private final List<Long> attemptTimes = new ArrayList<>();

    private RetryPolicy.Builder policy(VirtualTimeScheduler time) {
        return RetryPolicy.builder(time)
                .backoff(Duration.ofMillis(2), Duration.ofMillis(16), false)
                .deadline(Duration.ofSeconds(10))
                .allowance(Allowance.STATUSES, 8)
                .allowance(Allowance.CONNECT_FAILURES, 10)
                .allowance(Allowance.RESPONSE_TIMEOUTS, 3)
                .allowance(Allowance.CONNECTIONS_CLOSED, 3);
    }

    /** A lookup whose attempts fail as scripted, then succeed. */
    private Mono<String> scripted(VirtualTimeScheduler time, RetryPolicy policy, Throwable... failures) {
        Iterator<Throwable> script = List.of(failures).iterator();
        RetryPolicy.Run run = policy.start("req-1");
        return Mono.defer(() -> {
            attemptTimes.add(time.now(TimeUnit.MILLISECONDS));
            return script.hasNext() ? Mono.<String>error(script.next()) : Mono.just("John");
        }).retryWhen(run.retry());
    }

    @Test
    void retriesTransientStatusesWithExactlyDoublingBackoffWhenJitterIsOff() {
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return scripted(time, policy(time).build(), STATUS_500, STATUS_500, STATUS_500);
                })
                .thenAwait(Duration.ofMillis(14))
                .expectNext("John")
                .verifyComplete();
        assertThat(attemptTimes).containsExactly(0L, 2L, 6L, 14L);
    }

    @Test
    void backoffIsCappedAtTheConfiguredCeiling() {
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    RetryPolicy p = policy(time).backoff(Duration.ofMillis(2), Duration.ofMillis(5), false).build();
                    return scripted(time, p, STATUS_500, STATUS_500, STATUS_500, STATUS_500);
                })
                .thenAwait(Duration.ofMillis(100))
                .expectNext("John")
                .verifyComplete();
        assertThat(attemptTimes).containsExactly(0L, 2L, 6L, 11L, 16L);
    }

    @Test
    void eachFailureKindDrawsOnItsOwnAllowance() {
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    RetryPolicy p = policy(time)
                            .backoff(Duration.ZERO, Duration.ZERO, false)
                            .allowance(Allowance.CONNECT_FAILURES, 2)
                            .allowance(Allowance.STATUSES, 2)
                            .build();
                    // two connect failures and two statuses fit; the third connect failure does not
                    return scripted(time, p, CONNECT, STATUS_500, CONNECT, STATUS_500, CONNECT);
                })
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(UpstreamFailure.class);
                    assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.UNAVAILABLE);
                    assertThat(((UpstreamFailure) e).retryAfter()).isEqualTo(Duration.ofSeconds(1));
                })
                .verify(Duration.ofSeconds(5));
        assertThat(attemptTimes).hasSize(5);
    }

    @Test
    void exhaustedStatusesEndAsUpstreamFailedAfterAllowancePlusOneAttempts() {
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    RetryPolicy p = policy(time).backoff(Duration.ZERO, Duration.ZERO, false)
                            .allowance(Allowance.STATUSES, 3).build();
                    return scripted(time, p, STATUS_500, STATUS_500, STATUS_500, STATUS_500, STATUS_500);
                })
                .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.FAILED))
                .verify(Duration.ofSeconds(5));
        assertThat(attemptTimes).hasSize(4);
    }

    @Test
    void exhaustedResponseTimeoutsEndAsDeadlineAndClosedConnectionsAsFailed() {
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    RetryPolicy p = policy(time).backoff(Duration.ZERO, Duration.ZERO, false)
                            .allowance(Allowance.RESPONSE_TIMEOUTS, 1).build();
                    return scripted(time, p, TIMEOUT, TIMEOUT);
                })
                .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.DEADLINE))
                .verify(Duration.ofSeconds(5));
        assertThat(attemptTimes).hasSize(2);

        attemptTimes.clear();
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    RetryPolicy p = policy(time).backoff(Duration.ZERO, Duration.ZERO, false)
                            .allowance(Allowance.CONNECTIONS_CLOSED, 1).build();
                    return scripted(time, p, CLOSED, CLOSED);
                })
                .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.FAILED))
                .verify(Duration.ofSeconds(5));
        assertThat(attemptTimes).hasSize(2);
    }

    @Test
    void aBackoffThatDoesNotFitShrinksToLeaveTheAttemptHalfTheTimeLeftUntilTooLittleIsLeft() {
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    RetryPolicy p = policy(time)
                            .backoff(Duration.ofMillis(4), Duration.ofMillis(64), false)
                            .deadline(Duration.ofMillis(20))
                            .minAttemptTime(Duration.ofMillis(2))
                            .build();
                    // attempts at 0, 4 and 12 by the backoff; the next backoff (16 ms) does not fit
                    // the 8 ms left: 3 ms, leaving the attempt at 15 half of it; then 1.5 ms (16.5);
                    // with 3.5 ms left, less than twice the minimum, the policy stops
                    return scripted(time, p, STATUS_500, STATUS_500, STATUS_500, STATUS_500, STATUS_500, STATUS_500);
                })
                .thenAwait(Duration.ofMillis(17))
                .expectErrorSatisfies(e -> {
                    assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.DEADLINE);
                    assertThat(((UpstreamFailure) e).reason()).contains("status 500");
                })
                .verify(Duration.ofSeconds(5));
        assertThat(attemptTimes).containsExactly(0L, 4L, 12L, 15L, 16L);
    }

    @Test
    void attemptTimeoutShrinksToTheTimeLeft() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        RetryPolicy p = policy(time).deadline(Duration.ofMillis(90)).attemptTimeout(Duration.ofMillis(30)).build();
        RetryPolicy.Run run = p.start("req-1");
        assertThat(run.attemptTimeout()).isEqualTo(Duration.ofMillis(30));
        time.advanceTimeBy(Duration.ofMillis(75));
        assertThat(run.attemptTimeout()).isEqualTo(Duration.ofMillis(15));
        assertThat(run.timeLeft()).isEqualTo(Duration.ofMillis(15));
    }

    @Test
    void aRunForARequestThatWaitedHasOnlyTheRestOfItsDeadline() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        RetryPolicy p = policy(time).deadline(Duration.ofMillis(90)).attemptTimeout(Duration.ofMillis(30)).build();
        RetryPolicy.Run run = p.start("req-1", Duration.ofMillis(70).toNanos());
        assertThat(run.timeLeft()).isEqualTo(Duration.ofMillis(20));
        assertThat(run.attemptTimeout()).isEqualTo(Duration.ofMillis(20));
        assertThat(p.start("req-2", -5).timeLeft()).as("a negative wait is none").isEqualTo(Duration.ofMillis(90));
    }

    @Test
    void rateLimitedRetryWaitsForRetryAfterWhenItFits() {
        AttemptFailure limited = new AttemptFailure(AttemptOutcome.RATE_LIMITED, 429, Duration.ofSeconds(1), "status 429");
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return scripted(time, policy(time).deadline(Duration.ofSeconds(3)).build(), limited);
                })
                .thenAwait(Duration.ofSeconds(1))
                .expectNext("John")
                .verifyComplete();
        assertThat(attemptTimes).containsExactly(0L, 1000L);
    }

    @Test
    void rateLimitedWithRetryAfterBeyondTheDeadlineStopsAtOnceAndPassesTheValueOn() {
        AttemptFailure limited = new AttemptFailure(AttemptOutcome.RATE_LIMITED, 429, Duration.ofSeconds(5), "status 429");
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return scripted(time, policy(time).deadline(Duration.ofMillis(90)).build(), limited);
                })
                .expectErrorSatisfies(e -> {
                    assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.UNAVAILABLE);
                    assertThat(((UpstreamFailure) e).retryAfter()).isEqualTo(Duration.ofSeconds(5));
                })
                .verify(Duration.ofSeconds(5));
        assertThat(attemptTimes).containsExactly(0L);
    }

    @Test
    void rateLimitedWithoutRetryAfterBacksOffLikeAStatus() {
        AttemptFailure limited = new AttemptFailure(AttemptOutcome.RATE_LIMITED, 429, null, "status 429");
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return scripted(time, policy(time).build(), limited, limited);
                })
                .thenAwait(Duration.ofMillis(6))
                .expectNext("John")
                .verifyComplete();
        assertThat(attemptTimes).containsExactly(0L, 2L, 6L);
    }

    @Test
    void contractBreaksAndForeignErrorsAreNeverRetried() {
        AttemptFailure malformed = AttemptFailure.of(AttemptOutcome.MALFORMED, "200 without a name");
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return scripted(time, policy(time).build(), malformed);
                })
                .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.FAILED))
                .verify(Duration.ofSeconds(5));
        assertThat(attemptTimes).hasSize(1);

        attemptTimes.clear();
        IllegalStateException bug = new IllegalStateException("bug");
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return scripted(time, policy(time).build(), bug);
                })
                .expectErrorMatches(e -> e == bug)
                .verify(Duration.ofSeconds(5));
        assertThat(attemptTimes).hasSize(1);
    }

    @Test
    void everyRetryIsReportedWithItsAttemptNumberAndReason() {
        List<String> heard = new ArrayList<>();
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    RetryPolicy p = policy(time)
                            .listener((id, attempt, failure, delay) -> heard.add(id + " " + attempt + " " + failure.reason() + " " + delay.toMillis()))
                            .build();
                    return scripted(time, p, STATUS_500, CONNECT);
                })
                .thenAwait(Duration.ofMillis(6))
                .expectNext("John")
                .verifyComplete();
        assertThat(heard).containsExactly("req-1 1 status 500 2", "req-1 2 connect timeout after 5 ms 4");
    }

    @Test
    void fullJitterStaysWithinZeroAndTheCeiling() {
        RetryPolicy p = RetryPolicy.builder(VirtualTimeScheduler.create())
                .backoff(Duration.ofMillis(2), Duration.ofMillis(16), true).build();
        for (int n = 0; n < 200; n++) {
            long ceiling = Math.min(16, 2L << Math.min(n, 20)) * 1_000_000L;
            assertThat(p.backoffNanos(n)).isBetween(0L, ceiling);
        }
        assertThat(p.backoffNanos(1000)).isBetween(0L, 16_000_000L);
    }

    @Test
    void builderRejectsInconsistentSettings() {
        assertThatThrownBy(() -> RetryPolicy.builder(VirtualTimeScheduler.create())
                .backoff(Duration.ofMillis(20), Duration.ofMillis(10), false).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base <= cap");
        assertThatThrownBy(() -> RetryPolicy.builder(VirtualTimeScheduler.create()).allowance(Allowance.STATUSES, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBuilderStartsFromThePropertiesDefaultsTheirOneSource() {
        RetryPolicy policy = RetryPolicy.builder(VirtualTimeScheduler.create()).build();
        assertThat(policy.deadline()).isEqualTo(UpstreamProperties.defaults().deadline()).isEqualTo(Duration.ofMillis(90));
        assertThat(policy.minAttemptTime()).isEqualTo(UpstreamProperties.defaults().minAttemptTime());
    }
}
