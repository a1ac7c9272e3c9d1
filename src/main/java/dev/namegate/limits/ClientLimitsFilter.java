package dev.namegate.limits;

import java.util.function.Consumer;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.namegate.web.UserId;
import dev.namegate.auth.BearerAuthentication;
import dev.namegate.auth.Client;
import dev.namegate.limits.ClientLimitStore.QuotaDecision;
import dev.namegate.limits.ClientLimitStore.QuotaDecision.Verdict;
import dev.namegate.limits.ClientLimitStore.RateDecision;
import dev.namegate.limits.ClientLimitStore.RequestDecision;

import reactor.core.publisher.Mono;
import dev.namegate.web.ProblemKind;
import dev.namegate.web.Problems;

/**
 * Router filter after {@link BearerAuthentication}: the client's token bucket, then its quota of
 * distinct user ids, before the handler validates the id and calls the internal service.
 *
 * <p>Every authenticated answer carries the IETF httpapi ratelimit-headers fields:
 * {@code RateLimit-Policy: "default";q=<burst>;w=<seconds to refill an empty bucket>} and
 * {@code RateLimit: "default";r=<requests left>;t=<seconds until the bucket is full>}. Over the
 * rate: 429 {@link ProblemKind#RATE_LIMITED}; over the quota: 429
 * {@link ProblemKind#QUOTA_EXCEEDED} (both counted in {@link LimitRefusals}); a replica that cannot count one more distinct id: 503
 * {@link ProblemKind#OVERLOADED} (that is no fault of the client's); all with {@code Retry-After}
 * in seconds.
 *
 * <p>Only a valid id of a {@code GET}/{@code HEAD} counts towards the quota: an id that fails
 * validation reveals nothing and must not burn quota. An unknown user (404) does count, because
 * walking ids, found or not, is what a scraper does.
 */
public final class ClientLimitsFilter implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    /** Response header with the policy: capacity and refill time. */
    public static final String POLICY_HEADER = "RateLimit-Policy";
    /** Response header with the state: remaining requests and time to full. */
    public static final String STATE_HEADER = "RateLimit";

    private static final String RATE_DETAIL = "Too many requests for this client; retry after the time given in"
            + " Retry-After.";

    private static final String REPLICA_FULL_DETAIL = "This replica cannot count more distinct users right now;"
            + " retry after the time given in Retry-After.";

    private final ClientLimitStore store;
    private final LimitRefusals refusals;

    public ClientLimitsFilter(ClientLimitStore store, LimitRefusals refusals) {
        this.store = store;
        this.refusals = refusals;
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        Client client = BearerAuthentication.client(request).orElse(null);
        if (client == null) {
            // Not behind authentication: a wiring error that must not pass unlimited.
            throw new IllegalStateException("ClientLimitsFilter must run after BearerAuthentication");
        }
        return store.decide(client, countedId(request)).flatMap(decision -> answer(request, next, decision));
    }

    private Mono<ServerResponse> answer(ServerRequest request, HandlerFunction<ServerResponse> next,
            RequestDecision decision) {
        RateDecision rate = decision.rate();
        HttpHeaders headers = request.exchange().getResponse().getHeaders();
        headers.set(POLICY_HEADER, "\"default\";q=" + rate.limit() + ";w=" + rate.windowSeconds());
        headers.set(STATE_HEADER, "\"default\";r=" + rate.remaining() + ";t=" + rate.resetSeconds());
        if (!rate.allowed()) {
            refusals.refused(LimitRefusals.Reason.RATE);
            return Problems.respond(request, ProblemKind.RATE_LIMITED, RATE_DETAIL,
                    h -> h.set(HttpHeaders.RETRY_AFTER, Long.toString(rate.retryAfterSeconds())));
        }
        QuotaDecision quota = decision.quota();
        if (quota.verdict() == Verdict.REPLICA_FULL) {
            return Problems.respond(request, ProblemKind.OVERLOADED, REPLICA_FULL_DETAIL, retryAfter(quota));
        }
        if (!quota.allowed()) {
            refusals.refused(LimitRefusals.Reason.QUOTA);
            return Problems.respond(request, ProblemKind.QUOTA_EXCEEDED, "This client has read its quota of "
                    + quota.quota() + " distinct users for the period; already-read users stay available.",
                    retryAfter(quota));
        }
        return next.handle(request);
    }

    private static Consumer<HttpHeaders> retryAfter(QuotaDecision quota) {
        return h -> h.set(HttpHeaders.RETRY_AFTER, Long.toString(quota.retryAfterSeconds()));
    }

    /** The id this request would reveal, or -1 when it reveals none (bad id, other path or method). */
    private static long countedId(ServerRequest request) {
        HttpMethod method = request.method();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            return -1;
        }
        String id = request.pathVariables().get("id");
        return id == null ? -1 : UserId.parse(id);
    }
}
