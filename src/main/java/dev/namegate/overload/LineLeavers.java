package dev.namegate.overload;

/**
 * Counts the requests that left the {@link AdmissionGate}'s line, admitted or refused after their
 * wait, over the current window and the one before it, so a share is always taken over at least
 * one whole window. Not thread-safe: the gate holds its lock around every call.
 */
final class LineLeavers {

    private final long windowNanos;
    private long windowStart;
    private long admitted;
    private long refused;
    private long admittedBefore;
    private long refusedBefore;
    /** The window before the current one adjoins it and is part of the count. */
    private boolean counted;

    LineLeavers(long windowNanos, long now) {
        this.windowNanos = windowNanos;
        this.windowStart = now;
    }

    void admitted(long now) {
        roll(now);
        admitted++;
    }

    void refused(long now) {
        roll(now);
        refused++;
    }

    /**
     * Refused ones over this window and the one before, less {@code share} of all that left: at
     * least 0 (never -0.0) when their share is at least {@code share}, or none left.
     */
    double refusedBeyond(double share, long now) {
        roll(now);
        long allRefused = refused + refusedBefore;
        return allRefused - share * (allRefused + admitted + admittedBefore);
    }

    /**
     * Admitted ones a second over the time counted (the current window and the one before, or
     * since {@link #forget}), taken over at least {@code atLeastNanos} so a start does not read as
     * a burst.
     */
    double admittedPerSecond(long now, long atLeastNanos) {
        roll(now);
        long span = now - windowStart + (counted ? windowNanos : 0);
        return (admitted + admittedBefore) * 1e9 / Math.max(Math.max(1, atLeastNanos), span);
    }

    void forget(long now) {
        windowStart = now;
        admitted = refused = admittedBefore = refusedBefore = 0;
        counted = false;
    }

    private void roll(long now) {
        long elapsed = now - windowStart;
        if (elapsed < windowNanos) {
            return;
        }
        boolean previousWindowIsAdjacent = elapsed < 2 * windowNanos;
        admittedBefore = previousWindowIsAdjacent ? admitted : 0;
        refusedBefore = previousWindowIsAdjacent ? refused : 0;
        admitted = refused = 0;
        counted = previousWindowIsAdjacent;
        windowStart = previousWindowIsAdjacent ? windowStart + windowNanos : now;
    }
}
