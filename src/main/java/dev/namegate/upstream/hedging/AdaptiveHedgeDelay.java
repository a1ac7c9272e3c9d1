package dev.namegate.upstream.hedging;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When to hedge: once an attempt has taken longer than a given share of recent successful
 * attempts (the 90th percentile by default), but never sooner than the configured delay and
 * never later than the response timeout. On a healthy upstream that answers in a millisecond the
 * delay stays at its floor; when everything is slow (our own machine loaded, say), it rises, so
 * hedges are not sent for calls that are merely as slow as everyone else's.
 *
 * <p>The latencies are a ring of the last {@value #SAMPLES} successes, written without locks
 * (a lost sample under contention does not matter); the percentile is recomputed every
 * {@value #RECOMPUTE_EVERY} samples, so reading the delay is one volatile read.
 */
public final class AdaptiveHedgeDelay implements HedgeDelay {

    private static final int SAMPLES = 128;
    private static final int RECOMPUTE_EVERY = 16;

    private final long floorNanos;
    private final long ceilingNanos;
    private final double percentile;
    private final AtomicLongArray samples = new AtomicLongArray(SAMPLES);
    private final AtomicInteger written = new AtomicInteger();
    private volatile long delayNanos;

    /**
     * @param floor the shortest delay (the configured hedge delay)
     * @param ceiling the longest delay (the response timeout: hedging later is pointless)
     * @param percentile of recent successful attempt latencies, in (0, 1)
     */
    public AdaptiveHedgeDelay(Duration floor, Duration ceiling, double percentile) {
        this.floorNanos = floor.toNanos();
        this.ceilingNanos = Math.max(floorNanos, ceiling.toNanos());
        this.percentile = percentile;
        this.delayNanos = floorNanos;
    }

    @Override
    public Duration current() {
        return Duration.ofNanos(delayNanos);
    }

    /** Records the latency of a successful attempt. */
    @Override
    public void succeeded(long nanos) {
        int n = written.getAndIncrement();
        samples.set(Math.floorMod(n, SAMPLES), nanos);
        if ((n + 1) % RECOMPUTE_EVERY == 0) {
            recompute(Math.min(SAMPLES, n + 1));
        }
    }

    /** From the first samples on: right after a start, a loaded machine must not hedge everything. */
    private void recompute(int count) {
        long[] copy = new long[count];
        for (int i = 0; i < count; i++) {
            copy[i] = samples.get(i);
        }
        Arrays.sort(copy);
        long p = copy[Math.min(count - 1, Math.max(0, (int) Math.ceil(percentile * count) - 1))];
        delayNanos = Math.max(floorNanos, Math.min(ceilingNanos, p));
    }
}
