package dev.namegate.overload;

/**
 * The pace at which requests finish, from their running count sampled at least a window apart,
 * so it is always taken over one to two windows. Not thread-safe: the {@link AdmissionGate} holds
 * its lock around every call.
 */
final class FinishPace {

    private final long windowNanos;
    private long sampledAt;
    private long sampled;
    private long earlierAt;
    private long earlier;

    FinishPace(long windowNanos, long now, long finished) {
        this.windowNanos = windowNanos;
        this.sampledAt = this.earlierAt = now;
        this.sampled = this.earlier = finished;
    }

    /** Requests finished a second, given the count now; 0 before any time has passed. */
    double perSecond(long now, long finished) {
        if (now - sampledAt >= windowNanos) {
            earlierAt = sampledAt;
            earlier = sampled;
            sampledAt = now;
            sampled = finished;
        }
        long span = now - earlierAt;
        return span <= 0 ? 0 : (finished - earlier) * 1e9 / span;
    }
}
