package dev.namegate.upstream.pacing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Permits at 100/s (one per 10 ms, burst 1), handed out in virtual time: earliest deadline first,
 * refused at once when the permits before a waiter are spoken for, never to a hedge while someone
 * waits, and a cancelled waiter gives its turn away.
 */
class DeadlineOrderedPermitsTest {

    private static final long MS = 1_000_000L;

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(
            AdaptiveRateLimiterTest.settings(100, 1, Duration.ofMinutes(1)), time, (from, to) -> { });
    private final DeadlineOrderedPermits permits = new DeadlineOrderedPermits(limiter, time);
    private final List<String> events = new ArrayList<>();

    @AfterEach
    void dispose() {
        time.dispose();
    }

    private Disposable acquire(String name, long maxWaitMs) {
        return permits.permit(maxWaitMs * MS, () -> new IllegalStateException("no permit"))
                .subscribe(ok -> { }, error -> events.add(name + " refused at " + time.now(TimeUnit.MILLISECONDS)),
                        () -> events.add(name + " at " + time.now(TimeUnit.MILLISECONDS)));
    }

    @Test
    void aFreePermitIsTakenAtOnceThenTheNearestDeadlineGoesFirst() {
        acquire("first", 80);
        acquire("fresh", 80); // a first attempt: most time left
        time.advanceTimeBy(Duration.ofMillis(1));
        acquire("retry", 30); // arrives later, but its deadline is nearer
        time.advanceTimeBy(Duration.ofMillis(30));
        assertThat(events).containsExactly("first at 0", "retry at 10", "fresh at 20");
    }

    @Test
    void aPermitFreeNowIsTheGrantedConstantSoTheCallerNeedNotSubscribe() {
        Supplier<IllegalStateException> refusal = () -> new IllegalStateException("no permit");
        assertThat(permits.permit(80 * MS, refusal)).isSameAs(Pacing.GRANTED);
        assertThat(permits.permit(80 * MS, refusal)).as("the next is 10 ms away").isNotSameAs(Pacing.GRANTED);
        assertThat(Pacing.UNLIMITED.permit(0, refusal)).isSameAs(Pacing.GRANTED);
    }

    @Test
    void aWaiterIsRefusedAtOnceWhenThePermitsBeforeItAreSpokenFor() {
        acquire("now", 100);
        acquire("w1", 20); // slot at 10 ms
        acquire("w2", 21); // slot at 20 ms
        acquire("w3", 25); // would get 30 ms: past its deadline
        assertThat(events).containsExactly("now at 0", "w3 refused at 0");
        time.advanceTimeBy(Duration.ofMillis(25));
        assertThat(events).containsExactly("now at 0", "w3 refused at 0", "w1 at 10", "w2 at 20");
    }

    @Test
    void aHedgeNeverTakesAPermitBeforeSomeoneWaitingWithANearerDeadline() {
        acquire("now", 100);
        assertThat(permits.hedgePermit(20 * MS, 80 * MS)).as("nobody waits: the next slot, 10 ms on").isEqualTo(10 * MS);
        acquire("waiting", 60); // slot at 20 ms, deadline at 60 ms
        assertThat(permits.hedgePermit(50 * MS, 70 * MS)).as("the waiter's deadline is nearer").isEqualTo(-1);
        assertThat(permits.hedgePermit(25 * MS, 40 * MS)).as("the hedge's deadline is nearer: it goes first")
                .isEqualTo(20 * MS);
        time.advanceTimeBy(Duration.ofMillis(40));
        assertThat(events).containsExactly("now at 0", "waiting at 30");
    }

    @Test
    void aCancelledWaiterGivesItsTurnAway() {
        acquire("now", 100);
        Disposable gone = acquire("gone", 15);
        acquire("next", 50);
        time.advanceTimeBy(Duration.ofMillis(5));
        gone.dispose();
        time.advanceTimeBy(Duration.ofMillis(10));
        assertThat(events).containsExactly("now at 0", "next at 10");
    }

    @Test
    void aWaiterWhoseDeadlinePassesAfterARateCutIsRefusedThen() {
        acquire("now", 100);
        acquire("w1", 15); // expects the slot at 10 ms
        // permits reserved past it straight at the limiter (as a rate cut would push its turn back)
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.reserve(1_000 * MS)).isNotNegative();
        }
        time.advanceTimeBy(Duration.ofMillis(20));
        assertThat(events).containsExactly("now at 0", "w1 refused at 15");
    }
}
