package dev.namegate.overload;

import java.util.function.LongSupplier;

/**
 * The pace at which the core could finish requests: the CPU time the process gets a second now,
 * over the CPU time a request has cost while no limit was set. {@link FinishPace} counts only busy
 * windows, and before the first overload those are a cold start's and the onset's own, in which
 * the core reads and starts far more than it finishes; a limit started from that pace made the
 * line wait out the excess in progress past its queue time. This pace holds at any load, so it is
 * known before the first overload. Not thread-safe: the {@link AdmissionGate} holds its lock
 * around every call.
 */
final class CpuPace {

    /** What is left of each window's weight a window later: about the last second counts. */
    private static final double KEEP = 0.9;
    /** Fewer requests than this in the average say more of the process's fixed costs than of theirs. */
    private static final double MIN_REQUESTS = 100;

    private final long windowNanos;
    private final LongSupplier cpuClock;
    private long windowStart;
    private long cpuAtWindowStart;
    private long requestsAtWindowStart;
    private long previousWindowStart;
    private long cpuAtPreviousWindowStart;
    private double cpu;
    private double requests;

    /**
     * @param cpuClock nanoseconds of CPU time the process has used, negative where the platform
     *     does not tell
     * @param requests requests started and finished since the start, each counted once at each
     */
    CpuPace(long windowNanos, LongSupplier cpuClock, long now, long requests) {
        this.windowNanos = windowNanos;
        this.cpuClock = cpuClock;
        this.windowStart = now;
        this.previousWindowStart = now;
        this.cpuAtWindowStart = cpuClock.getAsLong();
        this.cpuAtPreviousWindowStart = cpuAtWindowStart;
        this.requestsAtWindowStart = requests;
    }

    /**
     * Ends a window once it is {@code windowNanos} long; the CPU clock is read only then.
     *
     * @param counting whether the window's cost counts: not while a limit holds requests back,
     *     when refusals and the line take CPU time that no started request accounts for
     */
    void sample(long now, long requests, boolean counting) {
        if (now - windowStart < windowNanos) {
            return;
        }
        long cpuNow = cpuClock.getAsLong();
        if (counting) {
            cpu = cpu * KEEP + (cpuNow - cpuAtWindowStart);
            this.requests = this.requests * KEEP + (requests - requestsAtWindowStart) / 2.0;
        }
        previousWindowStart = windowStart;
        cpuAtPreviousWindowStart = cpuAtWindowStart;
        windowStart = now;
        cpuAtWindowStart = cpuNow;
        requestsAtWindowStart = requests;
    }

    /**
     * Requests a second at the CPU time the process got since the window before the current one
     * began (at an onset, all it can get, whatever the machine's cores or the container's quota),
     * 0 while unknown.
     */
    double perSecond(long now) {
        long span = now - previousWindowStart;
        if (requests < MIN_REQUESTS || cpu <= 0 || span <= 0) {
            return 0;
        }
        double cpuPerNano = (double) (cpuClock.getAsLong() - cpuAtPreviousWindowStart) / span;
        return Math.max(0, cpuPerNano * 1e9 * requests / cpu);
    }
}
