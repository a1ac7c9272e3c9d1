package dev.namegate.upstream;

import java.util.concurrent.TimeUnit;

import reactor.core.scheduler.Scheduler;

/**
 * Paces attempts toward the internal service, which allows a fixed rate across all our replicas.
 * The allowed rate adapts like TCP's congestion window (AIMD): a 429 cuts it by a factor, and
 * success raises it by a constant per second up to a ceiling. Each replica adapts on its own,
 * so N replicas converge on about 1/N of the upstream's limit each without coordination.
 *
 * <p>A cut looks at what was really sent. While the allowed rate is well above the measured send
 * rate, pacing was not what held us back: the 429 came from bursts (a retry right behind its
 * failure, next to another request), so the rate drops to the measured rate, which spaces the
 * attempts evenly without making anyone wait. Once we send at the allowed rate, a 429 means the
 * rate itself is too high, and it is cut by the factor, below the demand if need be: that is how
 * replicas sharing one limit converge. The AWS SDK's adaptive mode also cuts from the measured rate.
 *
 * <p>Permits follow the generic cell rate algorithm: a permit is a time slot; the limiter
 * reserves the next free one and tells the caller how long to wait for it, so callers wait
 * without blocking (with {@code Mono.delay}) and a caller whose slot lies past its deadline is
 * refused at once. A rate change applies to the next reservation; no token refill to redo.
 * Written by hand because no library combines a rate that changes on every answer with
 * non-blocking reservations.
 */
public final class AdaptiveRateLimiter {

    /** Current state: allowed rate, the theoretical arrival time of the next permit, last cut. */
    private record State(double ratePerSecond, long nextFreeNanos, long lastDecreaseNanos, long lastIncreaseNanos) {
    }

    private final Scheduler clock;
    private final double ceiling;
    private final double floor;
    private final double decreaseFactor;
    private final double increasePerSecond;
    private final double burst;
    private final long decreaseCooldownNanos;
    private final RateListener listener;
    private final java.util.concurrent.atomic.AtomicReference<State> state;
    /** Permits given per 100 ms slot over the last second, for the measured send rate. */
    private final java.util.concurrent.atomic.AtomicLongArray sentPerSlot = new java.util.concurrent.atomic.AtomicLongArray(SLOTS);
    private final java.util.concurrent.atomic.AtomicLongArray slotEpochs = new java.util.concurrent.atomic.AtomicLongArray(SLOTS);
    private static final int SLOTS = 10;
    /** Sending within this factor of the allowed rate counts as being held back by it. */
    private static final double RATE_BOUND = 1.1;
    private static final long SLOT_NANOS = 100_000_000L;

    /** Hears rate cuts (to log them); called outside any lock. */
    @FunctionalInterface
    public interface RateListener {
        void rateCut(double from, double to);
    }

    /**
     * @param ceiling highest rate, requests/s (the upstream's documented limit)
     * @param floor lowest rate, requests/s
     * @param decreaseFactor rate multiplier on a 429 (e.g. 0.5)
     * @param increasePerSecond rate added per second while attempts succeed
     * @param burst permits that may be taken at once after a quiet spell (at least 1)
     * @param decreaseCooldownNanos 429s within this time of a cut are one congestion event
     */
    public AdaptiveRateLimiter(double ceiling, double floor, double decreaseFactor, double increasePerSecond,
            double burst, long decreaseCooldownNanos, Scheduler clock, RateListener listener) {
        if (!(floor > 0 && floor <= ceiling) || !(decreaseFactor > 0 && decreaseFactor < 1) || increasePerSecond < 0
                || burst < 1) {
            throw new IllegalArgumentException("rate limiter needs 0 < floor <= ceiling, 0 < factor < 1, burst >= 1");
        }
        this.ceiling = ceiling;
        this.floor = floor;
        this.decreaseFactor = decreaseFactor;
        this.increasePerSecond = increasePerSecond;
        this.burst = burst;
        this.decreaseCooldownNanos = decreaseCooldownNanos;
        this.clock = clock;
        this.listener = listener;
        long now = now();
        this.state = new java.util.concurrent.atomic.AtomicReference<>(new State(ceiling, now, now - decreaseCooldownNanos, now));
    }

    /**
     * Reserves a permit.
     *
     * @param maxWaitNanos the longest the caller can wait
     * @return nanoseconds to wait before using the permit (0 = now), or -1 when no permit is
     *         free within {@code maxWaitNanos} (nothing is reserved then)
     */
    public long reserve(long maxWaitNanos) {
        while (true) {
            State s = state.get();
            long now = now();
            long interval = (long) (1e9 / s.ratePerSecond());
            // a quiet spell lets up to `burst` permits go at once, never more
            long earliest = Math.max(s.nextFreeNanos(), now - (long) ((burst - 1) * interval));
            long wait = Math.max(0, earliest - now);
            if (wait > maxWaitNanos) {
                return -1;
            }
            State next = new State(s.ratePerSecond(), earliest + interval, s.lastDecreaseNanos(), s.lastIncreaseNanos());
            if (state.compareAndSet(s, next)) {
                countSent(earliest);
                return wait;
            }
        }
    }

    /** An attempt got an answer that was not a 429: raise the rate additively. */
    public void onSuccess() {
        if (increasePerSecond == 0) {
            return;
        }
        while (true) {
            State s = state.get();
            if (s.ratePerSecond() >= ceiling) {
                return;
            }
            long now = now();
            double seconds = (now - s.lastIncreaseNanos()) / 1e9;
            if (seconds < 0.001) {
                return; // too little time has passed to add anything worth a CAS
            }
            double raised = Math.min(ceiling, s.ratePerSecond() + increasePerSecond * seconds);
            if (state.compareAndSet(s, new State(raised, s.nextFreeNanos(), s.lastDecreaseNanos(), now))) {
                return;
            }
        }
    }

    /** The upstream answered 429: cut the rate multiplicatively, once per congestion event. */
    public void onRateLimited() {
        while (true) {
            State s = state.get();
            long now = now();
            if (now - s.lastDecreaseNanos() < decreaseCooldownNanos) {
                return;
            }
            double measured = measuredRate(now);
            double rate = s.ratePerSecond();
            double cut = Math.max(floor, rate > measured * RATE_BOUND ? Math.min(rate, measured) : rate * decreaseFactor);
            if (state.compareAndSet(s, new State(cut, s.nextFreeNanos(), now, now))) {
                if (cut < s.ratePerSecond()) {
                    listener.rateCut(s.ratePerSecond(), cut);
                }
                return;
            }
        }
    }

    private void countSent(long atNanos) {
        long slot = atNanos / SLOT_NANOS;
        int index = (int) Math.floorMod(slot, (long) SLOTS);
        long epoch = slotEpochs.get(index);
        if (epoch != slot && slotEpochs.compareAndSet(index, epoch, slot)) {
            sentPerSlot.set(index, 0);
        }
        sentPerSlot.incrementAndGet(index);
    }

    /** Permits given over the last second (slots younger than a second), requests/s. */
    double measuredRate(long nowNanos) {
        long current = nowNanos / SLOT_NANOS;
        long sent = 0;
        for (int i = 0; i < SLOTS; i++) {
            long age = current - slotEpochs.get(i);
            if (age >= 0 && age < SLOTS) {
                sent += sentPerSlot.get(i);
            }
        }
        return Math.max(floor, sent * (1e9 / (SLOTS * SLOT_NANOS)));
    }

    /** The rate allowed now, requests/s. */
    public double rate() {
        return state.get().ratePerSecond();
    }

    private long now() {
        return clock.now(TimeUnit.NANOSECONDS);
    }
}
