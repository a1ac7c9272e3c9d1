package dev.namegate.simulator;

/**
 * A snapshot of what the simulator has done since start or the last reset. Requests to
 * {@code /_sim/...} are not counted, except in {@code connections}.
 *
 * <p>Every attempt ends in exactly one outcome, so {@code attempts == ok + notFound +
 * transient500 + outage500 + rateLimited + badRequest} once no request is in flight.
 *
 * @param attempts     requests outside {@code /_sim}
 * @param ok           200 answers with a name (delayed ones counted when sent)
 * @param notFound     500 {@code User not exists.} answers
 * @param transient500 500 {@code Internal error} answers of the flaky mode
 * @param outage500    500 {@code Internal error} answers of the outage mode
 * @param rateLimited  429 answers
 * @param delayed      answers the slow mode held back (counted when the delay starts)
 * @param closed       answers sent with {@code Connection: close} by the closing mode
 * @param badRequest   400 answers: wrong method, path or id
 * @param connections  TCP connections accepted by the live instances
 */
public record SimulatorCounters(
        long attempts,
        long ok,
        long notFound,
        long transient500,
        long outage500,
        long rateLimited,
        long delayed,
        long closed,
        long badRequest,
        long connections) {

    /** The JSON object of {@code GET /_sim/counters}, fields in declaration order. */
    public String toJson() {
        // Numbers only, so no escaping is needed and no mapper either.
        return "{\"attempts\":" + attempts
                + ",\"ok\":" + ok
                + ",\"notFound\":" + notFound
                + ",\"transient500\":" + transient500
                + ",\"outage500\":" + outage500
                + ",\"rateLimited\":" + rateLimited
                + ",\"delayed\":" + delayed
                + ",\"closed\":" + closed
                + ",\"badRequest\":" + badRequest
                + ",\"connections\":" + connections
                + "}";
    }
}
