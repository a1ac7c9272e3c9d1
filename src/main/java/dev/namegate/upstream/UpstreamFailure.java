package dev.namegate.upstream;

import java.time.Duration;

/**
 * Why a lookup ended without an answer: the public API maps each {@link Kind} to a status.
 * {@link #reason()} is for logs only (our own words, never an upstream body).
 */
public final class UpstreamFailure extends RuntimeException {

    /** The three ways a lookup can fail, as the public API distinguishes them. */
    public enum Kind {
        /** The internal service kept failing or broke its contract (502). */
        FAILED,
        /** Unreachable, or asking us to back off longer than we can wait (503 + Retry-After). */
        UNAVAILABLE,
        /** The deadline came first (504). */
        DEADLINE
    }

    private final Kind kind;
    private final Duration retryAfter;

    public UpstreamFailure(Kind kind, Duration retryAfter, String reason) {
        this(kind, retryAfter, reason, null);
    }

    /** @param cause the failure the lookup ended on (an attempt's), kept for logs and tests */
    public UpstreamFailure(Kind kind, Duration retryAfter, String reason, Throwable cause) {
        super(reason, cause, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** For {@link Kind#UNAVAILABLE}: how long the client should wait; otherwise {@code null}. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public String reason() {
        return getMessage();
    }
}
