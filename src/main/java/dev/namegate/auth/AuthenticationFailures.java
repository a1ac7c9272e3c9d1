package dev.namegate.auth;

import java.time.Duration;

import org.springframework.web.reactive.function.server.ServerRequest;

import reactor.core.publisher.Mono;

/**
 * Told of every presented credential that failed (a malformed or unknown key; a missing header
 * guesses nothing and is not reported), and answers whether the request's source has failed too
 * often: then the request gets 429 {@code authentication-throttled} instead of 401. A valid key is
 * never reported, so whoever holds one is never refused for the failures of others at the same
 * address (the brute-force throttle lives in {@code dev.namegate.limits}).
 */
@FunctionalInterface
public interface AuthenticationFailures {

    /** Not throttled, as an answer. */
    Mono<Duration> NOT_THROTTLED = Mono.just(Duration.ZERO);

    /** Nobody listens: every failure is a 401. */
    AuthenticationFailures NONE = (request, failure) -> NOT_THROTTLED;

    /**
     * Records one failure and says how long the request's source stays throttled; may ask a shared
     * store, so the answer comes later and never blocks.
     *
     * @param failure {@link BearerAuthentication.Failure#MALFORMED} or {@link BearerAuthentication.Failure#UNKNOWN}
     * @return {@link Duration#ZERO} when the source is not throttled
     */
    Mono<Duration> failed(ServerRequest request, BearerAuthentication.Failure failure);
}
