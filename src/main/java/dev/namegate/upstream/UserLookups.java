package dev.namegate.upstream;

import reactor.core.publisher.Mono;

/** Where names come from: the internal service, or a cache in front of it. */
public interface UserLookups {

    /**
     * Looks a user up. Completes with a {@link UserLookup}, or fails with {@link UpstreamFailure}.
     *
     * @param requestId labels upstream requests and log lines
     * @param traceId the W3C trace id the upstream spans belong to
     */
    default Mono<UserLookup> lookup(long userId, String requestId, String traceId) {
        return lookup(userId, requestId, traceId, 0);
    }

    /**
     * Looks a user up for a request that arrived {@code elapsedNanos} ago: the deadline counts from
     * its arrival, so time spent before the lookup (waiting for admission) is not granted twice.
     */
    Mono<UserLookup> lookup(long userId, String requestId, String traceId, long elapsedNanos);
}
