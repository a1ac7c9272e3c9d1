package dev.namegate.upstream.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Hooks;

import dev.namegate.upstream.attempt.AttemptFailure;
import java.util.concurrent.TimeoutException;

/**
 * Errors that arrive after their subscriber has gone: an attempt's failure racing its own
 * timeout, or an exchange's body released by a cancel (Spring's "body released due to
 * cancellation", rare since a given-up attempt's exchange runs to its end). Reactor would log
 * each one at ERROR with a stack trace, which under a slow upstream floods the log with
 * expected events. They are counted at DEBUG instead;
 * anything else dropped is still reported, without a stack trace, by its type.
 */
final class DroppedErrors {

    private static final Logger LOG = LoggerFactory.getLogger(DroppedErrors.class);

    private DroppedErrors() {
    }

    static void install() {
        Hooks.onErrorDropped(DroppedErrors::dropped);
    }

    private static void dropped(Throwable error) {
        if (error instanceof AttemptFailure || error instanceof TimeoutException
                || error instanceof IllegalStateException && String.valueOf(error.getMessage()).contains("released")) {
            LOG.debug("dropped after cancellation: {}", error.getClass().getSimpleName());
        } else {
            LOG.warn("error after cancellation dropped: {}", error.getClass().getName());
        }
    }
}
