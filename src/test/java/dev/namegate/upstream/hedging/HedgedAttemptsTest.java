package dev.namegate.upstream.hedging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.attempt.AttemptFailure;
import dev.namegate.upstream.attempt.AttemptOutcome;
import dev.namegate.upstream.hedging.HedgedAttempts.HedgeListener;
import dev.namegate.upstream.hedging.HedgedAttempts.Verdict;


/** Hedging in virtual time: when hedges start, who wins, and that losers are cancelled. */
class HedgedAttemptsTest {

    private static final HedgeDelay DELAY = HedgeDelay.fixed(Duration.ofMillis(10));
    private static final Duration REASK = Duration.ofMillis(3);
    private static final AttemptFailure STATUS_500 = new AttemptFailure(AttemptOutcome.TRANSIENT_STATUS, 500, null, "status 500");

    private final List<Long> starts = new ArrayList<>();
    private final List<Integer> cancelled = new ArrayList<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger won = new AtomicInteger();
    private final HedgedAttempts.HedgeListener listener = new HedgedAttempts.HedgeListener() {
        @Override
        public void hedgeSent() {
            sent.incrementAndGet();
        }

        @Override
        public void hedgeWon() {
            won.incrementAndGet();
        }
    };

    /** Attempt n answers after answers[n] ms (negative: never), failing when fails[n]. */
    private Mono<String> attempt(VirtualTimeScheduler time, int n, long[] answersAfterMs, boolean[] fails) {
        starts.add(time.now(TimeUnit.MILLISECONDS));
        long after = n < answersAfterMs.length ? answersAfterMs[n] : -1;
        Mono<String> answer = after < 0 ? Mono.never()
                : Mono.delay(Duration.ofMillis(after), time)
                        .flatMap(x -> fails[n] ? Mono.<String>error(STATUS_500) : Mono.just("answer " + n));
        return answer.doOnCancel(() -> cancelled.add(n));
    }

    @Test
    void noHedgeWhenTheFirstAttemptAnswersBeforeTheDelay() {
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return HedgedAttempts.race(n -> attempt(time, n, new long[] {9}, new boolean[] {false}),
                            DELAY, REASK, () -> Verdict.GO, time, listener);
                })
                .thenAwait(Duration.ofMillis(9))
                .expectNext("answer 0")
                .verifyComplete();
        assertThat(starts).containsExactly(0L);
        assertThat(sent.get()).isZero();
    }

    @Test
    void anAttemptThatCompletesWithoutAValueFailsTheRound() {
        StepVerifier.withVirtualTime(() -> HedgedAttempts.race(n -> Mono.<String>empty(), DELAY, REASK, () -> Verdict.GO,
                        VirtualTimeScheduler.get(), listener))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessage("attempt completed without a value"))
                .verify();
    }

    @Test
    void aHedgeStartsOnlyAfterTheDelayAndTheLoserIsCancelled() {
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    // the first attempt went to the slow data centre; the hedge answers in 1 ms
                    return HedgedAttempts.race(n -> attempt(time, n, new long[] {-1, 1}, new boolean[] {false, false}),
                            DELAY, REASK, () -> Verdict.GO, time, listener);
                })
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(10))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("answer 1")
                .verifyComplete();
        assertThat(starts).containsExactly(0L, 10L);
        assertThat(cancelled).containsExactly(0);
        assertThat(sent.get()).isEqualTo(1);
        assertThat(won.get()).isEqualTo(1);
    }

    @Test
    void hedgesKeepComingEveryDelayWhileNothingAnswersAndTheGateAllows() {
        AtomicInteger allowed = new AtomicInteger(3);
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return HedgedAttempts.race(n -> attempt(time, n, new long[] {-1, -1, -1, 5}, new boolean[4]),
                            DELAY, REASK, () -> allowed.getAndDecrement() > 0 ? Verdict.GO : Verdict.NEVER, time, listener);
                })
                .thenAwait(Duration.ofMillis(35))
                .expectNext("answer 3")
                .verifyComplete();
        assertThat(starts).containsExactly(0L, 10L, 20L, 30L);
        assertThat(cancelled).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void aHedgeRefusedForNowIsAskedForAgainAfterTheReaskDelay() {
        List<Long> asked = new ArrayList<>();
        List<Verdict> verdicts = new ArrayList<>(List.of(Verdict.NOT_NOW, Verdict.NOT_NOW, Verdict.GO));
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    // no rate permit free at 10 ms nor at 13 ms; at 16 ms there is: the hedge goes then
                    return HedgedAttempts.race(n -> attempt(time, n, new long[] {-1, 1}, new boolean[2]),
                            DELAY, REASK, () -> {
                                asked.add(time.now(TimeUnit.MILLISECONDS));
                                return verdicts.remove(0);
                            }, time, listener);
                })
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(16))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("answer 1")
                .verifyComplete();
        assertThat(asked).containsExactly(10L, 13L, 16L);
        assertThat(starts).containsExactly(0L, 16L);
        assertThat(cancelled).containsExactly(0);
    }

    @Test
    void aHedgeRefusedForTheRoundIsNotAskedForAgain() {
        AtomicInteger asked = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return HedgedAttempts.race(n -> attempt(time, n, new long[] {25}, new boolean[1]),
                            DELAY, REASK, () -> {
                                asked.incrementAndGet();
                                return Verdict.NEVER;
                            }, time, listener);
                })
                .thenAwait(Duration.ofMillis(25))
                .expectNext("answer 0")
                .verifyComplete();
        assertThat(asked.get()).isEqualTo(1);
        assertThat(starts).containsExactly(0L);
    }

    @Test
    void aFailureWhileAnotherAttemptIsInFlightWaitsForThatAttempt() {
        AtomicInteger allowed = new AtomicInteger(1);
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    // attempt 0 is slow but good; the hedge fails fast: the round waits for attempt 0
                    return HedgedAttempts.race(n -> attempt(time, n, new long[] {15, 1}, new boolean[] {false, true}),
                            DELAY, REASK, () -> allowed.getAndDecrement() > 0 ? Verdict.GO : Verdict.NEVER, time, listener);
                })
                .thenAwait(Duration.ofMillis(15))
                .expectNext("answer 0")
                .verifyComplete();
        assertThat(starts).containsExactly(0L, 10L);
    }

    @Test
    void theRoundFailsWithTheLastFailureWhenNothingIsLeftInFlight() {
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return HedgedAttempts.race(n -> attempt(time, n, new long[] {2}, new boolean[] {true}),
                            DELAY, REASK, () -> Verdict.GO, time, listener);
                })
                .thenAwait(Duration.ofMillis(2))
                .expectErrorMatches(e -> e == STATUS_500)
                .verify(Duration.ofSeconds(5));
        assertThat(starts).containsExactly(0L); // no hedge is sent after the round has failed
    }

    @Test
    void aContractBreakEndsTheRoundAtOnceAndCancelsTheOthers() {
        AttemptFailure malformed = AttemptFailure.of(AttemptOutcome.MALFORMED, "200 without a name");
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return HedgedAttempts.race(n -> n == 0 ? attempt(time, 0, new long[] {-1}, new boolean[1])
                                    : Mono.delay(Duration.ofMillis(1), time).then(Mono.<String>error(malformed)),
                            DELAY, REASK, () -> Verdict.GO, time, listener);
                })
                .thenAwait(Duration.ofMillis(11))
                .expectErrorMatches(e -> e == malformed)
                .verify(Duration.ofSeconds(5));
        assertThat(cancelled).containsExactly(0);
    }

    @Test
    void hedgingSwitchedOffSendsOneAttemptHoweverLongItTakes() {
        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    return HedgedAttempts.race(n -> attempt(time, n, new long[] {50}, new boolean[1]), HedgeDelay.OFF, REASK, () -> Verdict.GO,
                            time, listener);
                })
                .thenAwait(Duration.ofMillis(50))
                .expectNext("answer 0")
                .verifyComplete();
        assertThat(starts).containsExactly(0L);
    }
}
