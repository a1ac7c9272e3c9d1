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
    Mono<UserLookup> lookup(long userId, String requestId, String traceId);
}
