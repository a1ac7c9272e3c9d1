package dev.namegate.bench;

/**
 * Judges one answer. Runs on a Netty event-loop thread for every response, so implementations
 * must be cheap, thread-safe and must not throw (a body they cannot parse is {@link Outcome#WRONG}).
 */
@FunctionalInterface
public interface ResponseCheck {

    /**
     * @param id          the user id that was asked for
     * @param status      HTTP status code of the answer
     * @param contentType the Content-Type header, or {@code null} when absent
     * @param body        the full body (empty, never {@code null})
     * @return {@link Outcome#CORRECT} or {@link Outcome#WRONG}; never {@link Outcome#FAILED},
     *         which is reserved for answers that never arrived
     */
    Outcome check(long id, int status, String contentType, byte[] body);
}
