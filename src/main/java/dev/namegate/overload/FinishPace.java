package dev.namegate.overload;

/**
 * The pace at which requests finish while the core is busy: counted in windows, each window with
 * a few requests in progress throughout weighing in on a moving average, the others (a lull, a
 * start) leaving the pace as it was, since their finishes say how much was asked, not how much
 * the core can do. Not thread-safe: the {@link AdmissionGate} holds its lock around every call.
 */
final class FinishPace {

    /** Each busy window's weight in the average: about the last three count. */
    private static final double WEIGHT = 0.3;

    private final long windowNanos;
    private long windowStart;
    private long finishedAtStart;
    private boolean busyThroughout = true;
    private double perSecond;
    private boolean measured;

    FinishPace(long windowNanos, long now, long finished) {
        this.windowNanos = windowNanos;
        this.windowStart = now;
        this.finishedAtStart = finished;
    }

    /**
     * Requests finished a second while busy, 0 before a busy window has ended.
     *
     * @param finished requests finished since the start
     * @param busy whether enough requests are in progress now for the core to set the pace
     */
    double perSecond(long now, long finished, boolean busy) {
        busyThroughout &= busy;
        long elapsed = now - windowStart;
        if (elapsed >= windowNanos) {
            if (busyThroughout) {
                double windowPace = (finished - finishedAtStart) * 1e9 / elapsed;
                perSecond = measured ? perSecond + WEIGHT * (windowPace - perSecond) : windowPace;
                measured = true;
            }
            windowStart = now;
            finishedAtStart = finished;
            busyThroughout = busy;
        }
        return perSecond;
    }
}
