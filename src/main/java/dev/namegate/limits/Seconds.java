package dev.namegate.limits;

/** Whole seconds for header fields ({@code Retry-After}, {@code RateLimit}), always rounded up. */
public final class Seconds {

    /** Nanoseconds per second. */
    public static final long NANOS = 1_000_000_000L;

    private Seconds() {
    }

    /** {@code nanos} in seconds rounded up; 0 for zero or less. */
    public static long ceil(long nanos) {
        return nanos <= 0 ? 0 : (nanos + NANOS - 1) / NANOS;
    }
}
