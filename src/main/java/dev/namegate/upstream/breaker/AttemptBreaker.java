package dev.namegate.upstream.breaker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import dev.namegate.upstream.attempt.AttemptFailure;
import dev.namegate.upstream.attempt.AttemptOutcome;

/**
 * Stops attempts while nearly all of them fail. Each attempt asks to enter, and then reports how
 * it ended: by its outcome's {@link AttemptOutcome#health()}, or abandoned (a hedge that lost, the
 * deadline), which says nothing about the internal service.
 */
public interface AttemptBreaker {

    /** Never open. */
    AttemptBreaker NONE = new AttemptBreaker() {
        @Override
        public boolean tryEnter() {
            return true;
        }

        @Override
        public void ended(AttemptOutcome outcome, boolean excused, long nanos) {
        }

        @Override
        public void failed(long nanos, Throwable unexpected) {
        }

        @Override
        public void abandoned() {
        }

        @Override
        public void suspend() {
        }

        @Override
        public void resume() {
        }

        @Override
        public Duration retryAfter() {
            return Duration.ofSeconds(1);
        }
    };

    /** Whether an attempt may go now; when it may, it must end with one of the calls below. */
    boolean tryEnter();

    /**
     * An attempt ended with {@code outcome}, after {@code nanos}.
     *
     * @param excused a timeout that our own stall may have caused: held against nobody
     */
    void ended(AttemptOutcome outcome, boolean excused, long nanos);

    /** An attempt ended with an error none of the outcomes covers (a bug): counted as a failure. */
    void failed(long nanos, Throwable unexpected);

    /** An attempt that entered was cancelled before it ended. */
    void abandoned();

    /** Stops judging (the warm-up of a cold process): nothing opens the breaker. */
    void suspend();

    /** Judges again, with no memory of the time suspended. */
    void resume();

    /** What a refusal's {@code Retry-After} says: the time until probes are let through. */
    Duration retryAfter();

    /** Told once of each change of the breaker's state, on the thread whose call made it. */
    @FunctionalInterface
    interface Transitions {
        void changed(CircuitBreaker.State from, CircuitBreaker.State to);
    }

    /**
     * A breaker over resilience4j's {@link CircuitBreaker}, counting attempts; {@code transitions}
     * hears of its state changes. They are read off the state after each call, not from the
     * breaker's event publisher: with any consumer there, resilience4j builds and dispatches a
     * timestamped event for every single attempt.
     */
    static AttemptBreaker of(CircuitBreaker breaker, Duration retryAfter, Transitions transitions) {
        // what resilience4j records as an attempt's error: one stackless value per outcome, made once
        AttemptFailure[] failures = new AttemptFailure[AttemptOutcome.values().length];
        for (AttemptOutcome outcome : AttemptOutcome.values()) {
            failures[outcome.ordinal()] = AttemptFailure.of(outcome, outcome.name());
        }
        AtomicReference<CircuitBreaker.State> seen = new AtomicReference<>(breaker.getState());
        return new AttemptBreaker() {
            @Override
            public boolean tryEnter() {
                boolean may = breaker.tryAcquirePermission();
                noticeTransition();
                return may;
            }

            @Override
            public void ended(AttemptOutcome outcome, boolean excused, long nanos) {
                AttemptOutcome.Health health = excused ? AttemptOutcome.Health.NEUTRAL : outcome.health();
                switch (health) {
                    case GOOD -> breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
                    case BAD -> breaker.onError(nanos, TimeUnit.NANOSECONDS, failures[outcome.ordinal()]);
                    case NEUTRAL -> breaker.releasePermission();
                }
                noticeTransition();
            }

            @Override
            public void failed(long nanos, Throwable unexpected) {
                breaker.onError(nanos, TimeUnit.NANOSECONDS, unexpected);
                noticeTransition();
            }

            @Override
            public void abandoned() {
                breaker.releasePermission();
            }

            @Override
            public void suspend() {
                breaker.transitionToDisabledState();
                noticeTransition();
            }

            @Override
            public void resume() {
                breaker.transitionToClosedState();
                noticeTransition();
            }

            private void noticeTransition() {
                CircuitBreaker.State before = seen.get();
                CircuitBreaker.State now = breaker.getState();
                if (now != before && seen.compareAndSet(before, now)) {
                    transitions.changed(before, now);
                }
            }

            @Override
            public Duration retryAfter() {
                return retryAfter;
            }
        };
    }
}
