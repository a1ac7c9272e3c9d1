package dev.namegate.upstream.hedging;

import java.time.Duration;

/** When a round of attempts sends a hedge: the time without an answer before the next one. */
public interface HedgeDelay {

    /** No hedging: one attempt at a time. */
    HedgeDelay OFF = new HedgeDelay() {
        @Override
        public boolean off() {
            return true;
        }

        @Override
        public Duration current() {
            throw new IllegalStateException("hedging is off");
        }
    };

    /** The same delay every time. */
    static HedgeDelay fixed(Duration delay) {
        return () -> delay;
    }

    /** True when no hedge is ever sent. */
    default boolean off() {
        return false;
    }

    /** The delay for the round starting now. */
    Duration current();

    /** A successful attempt took this long (only an adaptive delay listens). */
    default void succeeded(long nanos) {
    }
}
