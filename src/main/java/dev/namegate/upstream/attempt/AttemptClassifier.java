package dev.namegate.upstream.attempt;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.springframework.core.io.buffer.DataBufferLimitException;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;

/**
 * What an attempt came to, from what the wire gave: a status (and, for a 500, its body) or a
 * transport error. Pure functions of their arguments; the client reads the body and builds the
 * failure, this class only decides.
 *
 * <p>Internal contract: {@code POST {base}/{id}} answers 200 {@code {"name": "..."}}; a 500 whose
 * body contains {@code User not exists} for unknown ids; 500/502/503/504 when transiently broken;
 * 429 when we exceed its rate.
 */
public final class AttemptClassifier {

    /** What the body of a 500 says for an unknown id. */
    public static final String NOT_FOUND_MARKER = "User not exists";

    private final String connectTimeoutReason;
    private final String responseTimeoutReason;

    /** The timeouts only name themselves in the reasons of the failures they cause. */
    public AttemptClassifier(Duration connectTimeout, Duration responseTimeout) {
        this.connectTimeoutReason = "connect timeout after " + connectTimeout.toMillis() + " ms";
        this.responseTimeoutReason = "response timeout after " + responseTimeout.toMillis() + " ms";
    }

    /**
     * The outcome a status announces. A 500 is {@link AttemptOutcome#TRANSIENT_STATUS} until its
     * body says otherwise ({@link #isNotFound}).
     */
    public static AttemptOutcome ofStatus(int status) {
        return switch (status) {
            case 200 -> AttemptOutcome.SUCCESS;
            case 429 -> AttemptOutcome.RATE_LIMITED;
            case 500, 502, 503, 504 -> AttemptOutcome.TRANSIENT_STATUS;
            default -> AttemptOutcome.UNEXPECTED_STATUS;
        };
    }

    /** Whether a status and its body say the user does not exist (an answer, not a failure). */
    public static boolean isNotFound(int status, String body) {
        return status == 500 && body != null && body.contains(NOT_FOUND_MARKER);
    }

    /**
     * A transport error as the failure of its attempt, or the error itself, unchanged, when it is
     * none of the kinds an attempt can meet (a bug: it ends the lookup).
     */
    public Throwable ofError(Throwable error) {
        if (error instanceof AttemptFailure) {
            return error;
        }
        // before the generic timeout: the pool's acquire timeout is a TimeoutException too
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            AttemptFailure known = known(cause);
            if (known != null) {
                return known;
            }
        }
        if (error instanceof TimeoutException) {
            return AttemptFailure.of(AttemptOutcome.RESPONSE_TIMEOUT, "attempt timeout");
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            // a pooled channel written before its connect completed, seen under heavy load of our own
            if (cause instanceof IOException || cause instanceof NotYetConnectedException) {
                return AttemptFailure.of(AttemptOutcome.CONNECTION_CLOSED,
                        "connection failed: " + cause.getClass().getSimpleName());
            }
        }
        return error;
    }

    private AttemptFailure known(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return AttemptFailure.of(AttemptOutcome.CONNECT_FAILURE, connectTimeoutReason);
        }
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                || cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
            return AttemptFailure.of(AttemptOutcome.CONNECT_FAILURE, "connect failed");
        }
        if (cause instanceof ReadTimeoutException) {
            return AttemptFailure.of(AttemptOutcome.RESPONSE_TIMEOUT, responseTimeoutReason);
        }
        if (cause instanceof PrematureCloseException) {
            return AttemptFailure.of(AttemptOutcome.CONNECTION_CLOSED, "connection closed before response");
        }
        if (cause instanceof PoolAcquireTimeoutException || cause instanceof PoolAcquirePendingLimitException) {
            return AttemptFailure.of(AttemptOutcome.POOL_EXHAUSTED, "no pooled connection in time");
        }
        if (cause instanceof DataBufferLimitException) {
            return AttemptFailure.of(AttemptOutcome.MALFORMED, "oversized body");
        }
        return null;
    }
}
