package dev.namegate.limits;

import java.net.InetAddress;
import java.time.Duration;

import org.springframework.web.reactive.function.server.ServerRequest;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.AuthenticationFailures;
import dev.namegate.auth.BearerAuthentication;
import dev.namegate.web.RequestId;

import reactor.core.publisher.Mono;

/**
 * The brute-force throttle behind {@link BearerAuthentication}: counts and audits the failed
 * authentications of each source address, and once an address has failed too often, its further
 * failures get 429 {@code authentication-throttled} instead of 401.
 *
 * <p>Authentication comes first and only failures reach this guard, so a valid key is served from
 * a throttled address: keys carry 178 random bits, so the throttle guards against noise and
 * replayed revoked keys, not guessing, and must never let a few bad requests lock out everybody
 * behind one NAT or a proxy nobody listed in {@code namegate.limits.trusted-proxies}. Only a
 * presented credential that fails counts: a missing header guesses nothing.
 */
public final class AddressGuard implements AuthenticationFailures {

    private final ClientLimitStore store;
    private final SourceAddresses sources;
    private final AuditLog audit;
    private final LimitRefusals refusals;

    public AddressGuard(ClientLimitStore store, SourceAddresses sources, AuditLog audit, LimitRefusals refusals) {
        this.store = store;
        this.sources = sources;
        this.audit = audit;
        this.refusals = refusals;
    }

    @Override
    public Mono<Duration> failed(ServerRequest request, BearerAuthentication.Failure failure) {
        InetAddress source = sources.of(request.exchange().getRequest());
        AuditLog.FailureReason reason = failure == BearerAuthentication.Failure.MALFORMED
                ? AuditLog.FailureReason.MALFORMED_KEY
                : AuditLog.FailureReason.UNKNOWN_KEY;
        String requestId = RequestId.of(request.exchange());
        return store.countFailure(source).doOnNext(throttled -> {
            if (throttled.isZero()) {
                audit.authenticationFailed(source, reason, requestId);
            } else {
                // audited by the store once, at the throttle's end; counted here as the 429 it becomes
                refusals.refused(LimitRefusals.Reason.THROTTLE);
            }
        });
    }
}
