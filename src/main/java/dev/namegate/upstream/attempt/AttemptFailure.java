package dev.namegate.upstream.attempt;

import java.time.Duration;

/**
 * One failed attempt, classified. It travels through Reactor's retry machinery as an error
 * signal, so it carries no stack trace (creating one per failed attempt would cost more than the
 * attempt). {@link #reason()} is our own short text for logs; it never holds an upstream body.
 */
public final class AttemptFailure extends RuntimeException {

    private final AttemptOutcome outcome;
    private final int status;
    private final Duration retryAfter;

    public AttemptFailure(AttemptOutcome outcome, int status, Duration retryAfter, String reason) {
        super(reason, null, false, false);
        this.outcome = outcome;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public static AttemptFailure of(AttemptOutcome outcome, String reason) {
        return new AttemptFailure(outcome, 0, null, reason);
    }

    public AttemptOutcome outcome() {
        return outcome;
    }

    /** The upstream status, or 0 when no response arrived. */
    public int status() {
        return status;
    }

    /** The upstream's {@code Retry-After}, or {@code null} when it sent none. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public String reason() {
        return getMessage();
    }
}
