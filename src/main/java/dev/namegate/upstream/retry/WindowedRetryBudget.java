package dev.namegate.upstream.retry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import reactor.core.scheduler.Scheduler;

/**
 * Bounds retries and hedges by the traffic that earns them, as Finagle's and Linkerd's retry
 * budgets do: over a sliding window, the extra attempts may be at most {@code ratio} times the
 * first attempts, plus a floor of {@code minPerSecond} for quiet periods. A flaky upstream needs
 * about one retry per request, which fits; an outage would need eight, which does not, so the
 * budget turns a retry storm into fast failures.
 *
 * <p>The window is a ring of one-second slots of two counters each, updated with atomics: no
 * lock on the hot path. Slots are recycled lazily when their second comes round again.
 */
public final class WindowedRetryBudget implements RetryBudget {

    private static final long SLOT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Scheduler clock;
    private final double ratio;
    private final double floor;
    private final int slots;
    /** Per slot: the second it counts (epoch of the slot), first attempts, and extra attempts. */
    private final AtomicLongArray epochs;
    private final AtomicLongArray firsts;
    private final AtomicLongArray extras;
    private final Listener listener;
    private volatile boolean spent;

    /** Hears refusals and changes between "spent" and "available" (for metrics and logs). */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void refused() {
        }

        default void spent() {
        }

        default void available() {
        }
    }

    /**
     * @param ratio extra attempts allowed per first attempt (e.g. 1.5)
     * @param minPerSecond extra attempts always allowed per second of the window
     * @param window the sliding window (whole seconds, at least 1)
     */
    public WindowedRetryBudget(double ratio, double minPerSecond, Duration window, Scheduler clock) {
        this(ratio, minPerSecond, window, clock, Listener.NONE);
    }

    public WindowedRetryBudget(double ratio, double minPerSecond, Duration window, Scheduler clock, Listener listener) {
        if (ratio < 0 || minPerSecond < 0) {
            throw new IllegalArgumentException("retry budget ratio and floor must not be negative");
        }
        this.slots = (int) Math.max(1, window.toSeconds());
        this.ratio = ratio;
        this.floor = minPerSecond * slots;
        this.clock = clock;
        this.epochs = new AtomicLongArray(slots);
        this.firsts = new AtomicLongArray(slots);
        this.extras = new AtomicLongArray(slots);
        this.listener = listener;
    }

    /** Records a first attempt: it earns {@code ratio} extra attempts. */
    @Override
    public void deposit() {
        firsts.incrementAndGet(slot());
    }

    /** Takes one extra attempt (a retry or a hedge) if the budget allows it. */
    @Override
    public boolean tryWithdraw() {
        if (remaining() < 1) {
            listener.refused();
            if (!spent) {
                spent = true;
                listener.spent();
            }
            return false;
        }
        extras.incrementAndGet(slot());
        // hysteresis: "available" only once a second's floor is back, not on every spare token
        if (spent && remaining() >= Math.max(1, floor / slots)) {
            spent = false;
            listener.available();
        }
        return true;
    }

    /** Extra attempts still allowed in the current window (may be fractional; never negative). */
    @Override
    public double remaining() {
        long now = second();
        long first = 0;
        long extra = 0;
        for (int i = 0; i < slots; i++) {
            if (now - epochs.get(i) < slots) {
                first += firsts.get(i);
                extra += extras.get(i);
            }
        }
        return Math.max(0, floor + ratio * first - extra);
    }

    private int slot() {
        long second = second();
        int index = (int) (second % slots);
        long epoch = epochs.get(index);
        if (epoch != second && epochs.compareAndSet(index, epoch, second)) {
            // this slot last counted a second that has left the window: start it afresh
            firsts.set(index, 0);
            extras.set(index, 0);
        }
        return index;
    }

    private long second() {
        return clock.now(TimeUnit.NANOSECONDS) / SLOT_NANOS;
    }
}
