package dev.namegate.limits;

import java.net.InetAddress;
import java.time.Duration;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.namegate.api.ProblemKind;
import dev.namegate.api.Problems;
import dev.namegate.api.RequestId;
import dev.namegate.audit.AuditLog;
import dev.namegate.auth.BearerAuthentication;

import reactor.core.publisher.Mono;

/**
 * Router filter around {@link BearerAuthentication}: refuses a throttled source address with 429
 * {@link ProblemKind#AUTHENTICATION_THROTTLED} before any key is parsed, and counts and audits the
 * failures authentication reports. Only a presented credential that fails (malformed or unknown
 * key) counts: a missing header guesses nothing, and counting it would let a misconfigured client
 * behind a shared address lock out everybody there.
 */
public final class AddressGuard implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    /** Request attribute holding the source {@link InetAddress} this guard worked out. */
    public static final String SOURCE_ATTRIBUTE = AddressGuard.class.getName() + ".source";

    private static final String DETAIL = "Too many failed authentications from this address; retry after the"
            + " time given in Retry-After.";

    private final ClientLimitStore store;
    private final SourceAddresses sources;
    private final AuditLog audit;

    public AddressGuard(ClientLimitStore store, SourceAddresses sources, AuditLog audit) {
        this.store = store;
        this.sources = sources;
        this.audit = audit;
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        InetAddress source = sources.of(request.exchange().getRequest());
        request.attributes().put(SOURCE_ATTRIBUTE, source);
        Duration throttled = store.throttled(source);
        if (!throttled.isZero()) {
            return Problems.respond(request, ProblemKind.AUTHENTICATION_THROTTLED, DETAIL,
                    headers -> headers.set(HttpHeaders.RETRY_AFTER, Long.toString(ceilSeconds(throttled))));
        }
        return next.handle(request).doOnNext(response -> {
            Object failure = request.attributes().get(BearerAuthentication.FAILURE_ATTRIBUTE);
            AuditLog.FailureReason reason = failure == BearerAuthentication.Failure.MALFORMED
                    ? AuditLog.FailureReason.MALFORMED_KEY
                    : failure == BearerAuthentication.Failure.UNKNOWN ? AuditLog.FailureReason.UNKNOWN_KEY : null;
            if (reason != null) {
                audit.authenticationFailed(source, reason, RequestId.of(request.exchange()));
                store.authenticationFailed(source);
            }
        });
    }

    private static long ceilSeconds(Duration duration) {
        long seconds = duration.toSeconds();
        return duration.toNanosPart() > 0 || seconds == 0 ? seconds + 1 : seconds;
    }
}
