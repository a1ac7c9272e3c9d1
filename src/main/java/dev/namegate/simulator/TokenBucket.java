package dev.namegate.simulator;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free token bucket, written as the equivalent GCRA ("virtual scheduling"): one
 * {@link AtomicLong} holds the theoretical arrival time of the next request, so all instances
 * and event-loop threads share one limit with a single CAS per request and no refill thread.
 *
 * <p>A request at time {@code now} is allowed when the bucket, after taking its token, would be
 * at most {@code burst} intervals ahead of {@code now}. It starts full: {@code burst} requests
 * pass at once, then one per {@code 1 / rate} seconds.
 */
final class TokenBucket {
    private final long intervalNanos;
    private final long toleranceNanos;
    private final AtomicLong nextFreeNanos;

    /**
     * @param ratePerSecond tokens added per second, positive
     * @param burst         bucket size in requests, 1 or more
     * @param nowNanos      the current {@link System#nanoTime()}
     */
    TokenBucket(double ratePerSecond, int burst, long nowNanos) {
        intervalNanos = Math.max(1L, Math.round(1e9 / ratePerSecond));
        // Clamp instead of overflowing: a bucket that large never limits anyway.
        long cap = Long.MAX_VALUE / 4;
        toleranceNanos = intervalNanos > cap / burst ? cap : intervalNanos * burst;
        nextFreeNanos = new AtomicLong(nowNanos);
    }

    /** Takes a token if one is there; never blocks. */
    boolean tryAcquire(long nowNanos) {
        while (true) {
            long current = nextFreeNanos.get();
            // Compared by difference, as System.nanoTime() values must be.
            long start = current - nowNanos < 0 ? nowNanos : current;
            long next = start + intervalNanos;
            if (next - nowNanos > toleranceNanos) {
                return false;
            }
            if (nextFreeNanos.compareAndSet(current, next)) {
                return true;
            }
        }
    }
}
