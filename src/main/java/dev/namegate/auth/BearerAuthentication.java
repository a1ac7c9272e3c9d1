package dev.namegate.auth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;


import reactor.core.publisher.Mono;
import dev.namegate.web.ProblemKind;
import dev.namegate.web.Problems;
import dev.namegate.web.RequestId;
import dev.namegate.apikey.ApiKey;

/**
 * Router filter that lets a request through only with {@code Authorization: Bearer <key>} holding
 * a live key (scheme in any case). On success the {@link Client} is left in the request attribute
 * {@link #CLIENT_ATTRIBUTE}; otherwise the answer is 401 {@link ProblemKind#UNAUTHORIZED} with a
 * {@code WWW-Authenticate: Bearer realm="namegate"} challenge (RFC 6750), plus
 * {@code error="invalid_token"} when a key was presented.
 *
 * <p>A malformed, bad-checksum, unknown or revoked key all get the same answer, so the response
 * never tells a prober which keys exist or were revoked. Malformed keys are rejected before any
 * lookup. Apply with {@code RouterFunction.filter(bearerAuthentication)}, or
 * {@link #reportingTo(AuthenticationFailures)} to let a throttle slow down failing sources: a key
 * is checked first, so a valid one is served whatever its address did.
 */
@Component
public class BearerAuthentication implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    /** Request (and exchange) attribute holding the authenticated {@link Client}. */
    public static final String CLIENT_ATTRIBUTE = BearerAuthentication.class.getName() + ".client";

    static final String REALM_CHALLENGE = "Bearer realm=\"namegate\"";
    static final String INVALID_TOKEN_CHALLENGE = REALM_CHALLENGE + ", error=\"invalid_token\"";
    static final String MISSING_DETAIL = "Send the API key in the header 'Authorization: Bearer <key>'.";
    static final String INVALID_DETAIL = "The API key is not valid. Send a valid key in the header"
            + " 'Authorization: Bearer <key>'.";
    static final String THROTTLED_DETAIL = "Too many failed authentications from this address; retry after the"
            + " time given in Retry-After.";

    private static final Logger log = LoggerFactory.getLogger(BearerAuthentication.class);
    private static final String SCHEME = "Bearer";

    /** Why a request was refused: the only detail about a failure that may reach a log. */
    public enum Failure {
        MISSING, MALFORMED, UNKNOWN
    }

    private final KeyRegistry keys;

    public BearerAuthentication(KeyRegistry keys) {
        this.keys = keys;
    }

    /** The client {@link BearerAuthentication} authenticated, if it ran for this request. */
    public static Optional<Client> client(ServerRequest request) {
        return request.attribute(CLIENT_ATTRIBUTE).map(Client.class::cast);
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        return authenticate(request, next, AuthenticationFailures.NONE);
    }

    /** This filter, telling {@code failures} of every presented key that fails. */
    public HandlerFilterFunction<ServerResponse, ServerResponse> reportingTo(AuthenticationFailures failures) {
        return (request, next) -> authenticate(request, next, failures);
    }

    private Mono<ServerResponse> authenticate(ServerRequest request, HandlerFunction<ServerResponse> next,
            AuthenticationFailures failures) {
        List<String> headers = request.headers().header(HttpHeaders.AUTHORIZATION);
        if (headers.isEmpty()) {
            return refuse(request, Failure.MISSING, failures);
        }
        if (headers.size() > 1) {
            return refuse(request, Failure.MALFORMED, failures);
        }
        String value = headers.get(0).strip();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        if (!scheme.equalsIgnoreCase(SCHEME)) {
            // Other schemes (Basic, ...) carry no bearer credentials: answer as if none were sent.
            return refuse(request, Failure.MISSING, failures);
        }
        String key = space < 0 ? "" : value.substring(space + 1).strip();
        if (!ApiKey.hasValidShape(key)) {
            return refuse(request, Failure.MALFORMED, failures);
        }
        Optional<Client> client = keys.clientForWellShaped(key);
        if (client.isEmpty()) {
            return refuse(request, Failure.UNKNOWN, failures);
        }
        request.attributes().put(CLIENT_ATTRIBUTE, client.get());
        return next.handle(request);
    }

    private static Mono<ServerResponse> refuse(ServerRequest request, Failure failure, AuthenticationFailures failures) {
        // Reason and request id only: never the header, the key or its hash.
        log.debug("authentication failed reason={} requestId={}", failure, RequestId.of(request.exchange()));
        boolean presented = failure != Failure.MISSING;
        Mono<Duration> throttled = presented ? failures.failed(request, failure) : AuthenticationFailures.NOT_THROTTLED;
        return throttled.flatMap(wait -> {
            if (!wait.isZero()) {
                return Problems.respond(request, ProblemKind.AUTHENTICATION_THROTTLED, THROTTLED_DETAIL,
                        headers -> headers.set(HttpHeaders.RETRY_AFTER, Long.toString(ceilSeconds(wait))));
            }
            return Problems.respond(request, ProblemKind.UNAUTHORIZED, presented ? INVALID_DETAIL : MISSING_DETAIL,
                    headers -> headers.set(HttpHeaders.WWW_AUTHENTICATE,
                            presented ? INVALID_TOKEN_CHALLENGE : REALM_CHALLENGE));
        });
    }

    private static long ceilSeconds(Duration duration) {
        long seconds = duration.toSeconds();
        return duration.toNanosPart() > 0 || seconds == 0 ? seconds + 1 : seconds;
    }
}
