package dev.namegate.upstream;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;

import dev.namegate.trace.TraceParent;

/**
 * The internal user service, made dependable: each lookup is a series of classified attempts
 * under one {@link RetryPolicy}, each attempt bounded by its own timeouts, all of it bounded by
 * the deadline.
 *
 * <p>Internal contract: {@code POST {base}/{id}} answers 200 {@code {"name": "..."}}; a 500 whose
 * body contains {@code User not exists} for unknown ids; 500/502/503/504 when transiently broken;
 * 429 when we exceed its rate. The POST only reads, so retrying it is safe.
 */
public final class InternalUserClient {

    static final String NOT_FOUND_MARKER = "User not exists";

    /** A hedge waits at most this long for a rate permit; a hedge that would wait longer is not sent. */
    private static final long HEDGE_PERMIT_SLACK_NANOS = 3_000_000L;
    /** A hedge refused for now is asked for again after this: by then a permit refused for being too far off is near. */
    private static final Duration HEDGE_REASK = Duration.ofNanos(HEDGE_PERMIT_SLACK_NANOS);

    private static final Logger LOG = LoggerFactory.getLogger(InternalUserClient.class);

    private final WebClient webClient;
    private final UpstreamInstances instances;
    private final RetryPolicy policy;
    private final UpstreamMetrics metrics;
    private final Guards guards;
    private final Duration responseTimeout;
    private final Duration maxRetryAfter;
    private final String connectTimeoutText;
    private final DeadlineOrderedPermits permits;

    /**
     * What protects the internal service and the tail; any of them may be {@code null} (off).
     *
     * @param budget bounds retries and hedges by first attempts
     * @param breaker stops attempts while nearly all fail
     * @param limiter paces attempts to the internal service's rate
     * @param hedgeDelay time without an answer before a hedge ({@code null} = no hedging)
     * @param maxHedges hedges per lookup
     * @param breakerRetryAfter what a 503 says when the breaker refused
     * @param ownLag true while our own load makes our event loops lag, so a timeout may be ours ({@code null} = never)
     * @param ownStall true when our event loops ran late just now, whatever the load ({@code null} = never)
     */
    record Guards(RetryBudget budget, CircuitBreaker breaker, AdaptiveRateLimiter limiter, AdaptiveHedgeDelay hedgeDelay,
            int maxHedges, Duration breakerRetryAfter, BooleanSupplier ownLag, BooleanSupplier ownStall) {

        static final Guards NONE = new Guards(null, null, null, null, 0, Duration.ofSeconds(1), null, null);

        boolean lagging() {
            return ownLag != null && ownLag.getAsBoolean();
        }

        boolean stalled() {
            return ownStall != null && ownStall.getAsBoolean();
        }
    }

    public InternalUserClient(WebClient webClient, UpstreamProperties properties, RetryPolicy policy,
            UpstreamMetrics metrics) {
        this(webClient, properties, new UpstreamInstances(properties.baseUrls()), policy, metrics, Guards.NONE);
    }

    InternalUserClient(WebClient webClient, UpstreamProperties properties, UpstreamInstances instances,
            RetryPolicy policy, UpstreamMetrics metrics, Guards guards) {
        this.webClient = webClient;
        this.instances = instances;
        this.policy = policy;
        this.metrics = metrics;
        this.guards = guards;
        this.responseTimeout = properties.responseTimeout();
        this.maxRetryAfter = properties.maxRetryAfter();
        this.connectTimeoutText = "connect timeout after " + properties.connectTimeout().toMillis() + " ms";
        this.permits = guards.limiter() == null ? null : new DeadlineOrderedPermits(guards.limiter(), policy.scheduler());
    }

    /**
     * Keeps the breaker and outlier ejection out of the way while this process warms up: a cold
     * JVM misses timeouts of a few milliseconds for reasons of its own, which must neither open the
     * breaker (refusing the very requests meant to warm the path) nor eject healthy instances.
     * {@link #resumeJudging()} starts both afresh.
     */
    public void suspendJudging() {
        if (guards.breaker() != null) {
            guards.breaker().transitionToDisabledState();
        }
        instances.suspend(true);
    }

    /** Puts the breaker and outlier ejection back to work, with no memory of the warm-up. */
    public void resumeJudging() {
        if (guards.breaker() != null) {
            guards.breaker().transitionToClosedState();
        }
        instances.suspend(false);
    }

    /**
     * Looks a user up. Completes with {@link UserLookup}, or fails with {@link UpstreamFailure}.
     *
     * @param requestId labels upstream requests and log lines
     * @param traceId the W3C trace id the upstream spans belong to
     */
    public Mono<UserLookup> lookup(long userId, String requestId, String traceId) {
        return Mono.defer(() -> {
            RetryPolicy.Run run = policy.start(requestId);
            if (guards.budget() != null) {
                guards.budget().deposit();
            }
            Lookup lookup = new Lookup(userId, requestId, traceId, run);
            // each round waits for its rate permit first, so hedge delays count from the send
            return Mono.defer(() -> lookup.permit().then(HedgedAttempts.race(lookup::attempt,
                            guards.hedgeDelay() == null ? null : guards.hedgeDelay().current(), HEDGE_REASK, lookup::tryHedge,
                            policy.scheduler(), metrics)))
                    .retryWhen(run.retry())
                    // the per-attempt timeouts sit inside the retry; this one bounds everything
                    .timeout(policy.deadline(), timedOut(policy.deadline()), policy.scheduler())
                    .onErrorMap(TimeoutException.class, e -> new UpstreamFailure(UpstreamFailure.Kind.DEADLINE, null,
                            "deadline expired after " + run.progress() + lookup.hedgesDescribed()));
        });
    }

    /** One lookup's attempts: which instance went last, hedges left. Hedges run concurrently. */
    private final class Lookup {
        private final long userId;
        private final String requestId;
        private final String traceId;
        private final RetryPolicy.Run run;
        private final AtomicInteger lastInstance = new AtomicInteger(-1);
        private final AtomicInteger hedgesLeft;
        /** Set by {@link #tryHedge()} for the hedge it lets go, read right after by {@link #attempt(int)}. */
        private volatile long hedgeWaitNanos;

        Lookup(long userId, String requestId, String traceId, RetryPolicy.Run run) {
            this.userId = userId;
            this.requestId = requestId;
            this.traceId = traceId;
            this.run = run;
            this.hedgesLeft = new AtomicInteger(guards.maxHedges());
        }

        /** {@code , 3 hedges} when any were sent. */
        String hedgesDescribed() {
            int sent = guards.maxHedges() - Math.max(0, hedgesLeft.get());
            return sent == 0 ? "" : ", " + sent + (sent == 1 ? " hedge" : " hedges");
        }

        /**
         * A hedge may go when hedges are left, it has time to finish, the budget pays for it and a
         * rate permit is free right now (a hedge never waits long: it would only add to a queue).
         * Refused only for want of a permit, it is asked for again after {@link #HEDGE_REASK}.
         */
        HedgedAttempts.Verdict tryHedge() {
            // a hedge against our own lag would only deepen it, and asking again costs timers
            if (hedgesLeft.get() <= 0 || guards.lagging() || run.timeLeftNanos() < policy.minAttemptTime().toNanos()) {
                return HedgedAttempts.Verdict.NEVER;
            }
            long wait = 0;
            if (permits != null) {
                wait = permits.tryNow(HEDGE_PERMIT_SLACK_NANOS, run.timeLeftNanos() - policy.minAttemptTime().toNanos());
                if (wait < 0) {
                    return HedgedAttempts.Verdict.NOT_NOW;
                }
            }
            // a spent budget refills with new traffic, not within milliseconds
            if (guards.budget() != null && !guards.budget().tryWithdraw()) {
                return HedgedAttempts.Verdict.NEVER;
            }
            hedgeWaitNanos = wait;
            return hedgesLeft.decrementAndGet() >= 0 ? HedgedAttempts.Verdict.GO : HedgedAttempts.Verdict.NEVER;
        }

        /**
         * Waits for a rate permit (earliest deadline first), or fails (503) when none comes before
         * the deadline: at once when the permits before it are already spoken for.
         */
        Mono<Void> permit() {
            if (permits == null) {
                return Mono.empty();
            }
            return permits.acquire(run.timeLeftNanos() - policy.minAttemptTime().toNanos(), () -> {
                metrics.refused(UpstreamMetrics.Refusal.RATE_LIMIT);
                return new UpstreamFailure(UpstreamFailure.Kind.UNAVAILABLE, Duration.ofSeconds(1),
                        "no upstream rate permit before the deadline");
            });
        }

        /** An attempt behind the breaker (its rate permit was taken before; a hedge may wait a moment for it). */
        Mono<UserLookup> attempt(int n) {
            long wait = n == 0 ? 0 : hedgeWaitNanos;
            return wait == 0 ? Mono.defer(this::permitted)
                    : Mono.delay(Duration.ofNanos(wait), policy.scheduler()).then(Mono.defer(this::permitted));
        }

        private Mono<UserLookup> permitted() {
            CircuitBreaker breaker = guards.breaker();
            if (breaker != null && !breaker.tryAcquirePermission()) {
                metrics.refused(UpstreamMetrics.Refusal.BREAKER_OPEN);
                return Mono.error(new UpstreamFailure(UpstreamFailure.Kind.UNAVAILABLE, guards.breakerRetryAfter(),
                        "circuit breaker open"));
            }
            int instance = instances.pick(lastInstance.get());
            lastInstance.set(instance);
            long start = policy.scheduler().now(TimeUnit.NANOSECONDS);
            AtomicBoolean ended = new AtomicBoolean();
            return send(userId, instance, requestId, traceId, run.attemptTimeout())
                    .doOnSuccess(found -> {
                        ended.set(true);
                        ended(instance, found instanceof UserLookup.NotFound ? AttemptOutcome.NOT_FOUND : AttemptOutcome.SUCCESS,
                                start, null);
                    })
                    .doOnError(error -> {
                        ended.set(true);
                        ended(instance, error instanceof AttemptFailure f ? f.outcome() : null, start, error);
                    })
                    .doOnCancel(() -> {
                        // a hedge that lost, or the deadline: not a judgement on the upstream
                        if (breaker != null && ended.compareAndSet(false, true)) {
                            breaker.releasePermission();
                        }
                    });
        }
    }

    /** Tells every guard how an attempt ended ({@code outcome} null = an unexpected error). */
    private void ended(int instance, AttemptOutcome outcome, long startNanos, Throwable error) {
        // A timeout just after our own loops stalled (a GC pause, the JIT on a busy core) may have
        // been the stall's: it is still retried, but it neither ejects the instance nor counts for
        // the breaker; one pause must not take healthy instances out of rotation.
        boolean excused = (outcome == AttemptOutcome.RESPONSE_TIMEOUT || outcome == AttemptOutcome.CONNECT_FAILURE)
                && guards.stalled();
        if (outcome != null) {
            metrics.record(outcome);
            if (!excused) {
                instances.record(instance, outcome);
            }
        }
        if (outcome == AttemptOutcome.SUCCESS && guards.hedgeDelay() != null) {
            guards.hedgeDelay().record(policy.scheduler().now(TimeUnit.NANOSECONDS) - startNanos);
        }
        AdaptiveRateLimiter limiter = guards.limiter();
        if (limiter != null) {
            if (outcome == AttemptOutcome.RATE_LIMITED) {
                limiter.onRateLimited(guards.stalled());
            } else if (outcome != null && outcome != AttemptOutcome.CONNECT_FAILURE && !outcome.local()) {
                limiter.onSuccess();
            }
        }
        CircuitBreaker breaker = guards.breaker();
        if (breaker != null) {
            long nanos = policy.scheduler().now(TimeUnit.NANOSECONDS) - startNanos;
            if (outcome == AttemptOutcome.SUCCESS || outcome == AttemptOutcome.NOT_FOUND) {
                breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            } else if (outcome == AttemptOutcome.RATE_LIMITED || outcome != null && outcome.local() || excused) {
                breaker.releasePermission(); // says nothing about the upstream's health
            } else {
                breaker.onError(nanos, TimeUnit.NANOSECONDS, error);
            }
        }
    }

    private Mono<UserLookup> send(long userId, int instance, String requestId, String traceId, Duration timeout) {
        Duration headersTimeout = timeout.compareTo(responseTimeout) < 0 ? timeout : responseTimeout;
        return webClient.post()
                .uri(instances.uri(instance, userId))
                .header("X-Request-Id", requestId)
                .header(TraceParent.HEADER, TraceParent.forNewSpan(traceId))
                .accept(MediaType.APPLICATION_JSON)
                .httpRequest(request -> {
                    HttpClientRequest netty = request.getNativeRequest();
                    netty.responseTimeout(headersTimeout);
                })
                .exchangeToMono(response -> classify(userId, response))
                .timeout(timeout, timedOut(timeout), policy.scheduler())
                .onErrorMap(this::attemptError)
                .doOnError(AttemptFailure.class, failure -> {
                    if (failure.outcome() == AttemptOutcome.MALFORMED || failure.outcome() == AttemptOutcome.UNEXPECTED_STATUS) {
                        LOG.atWarn().addKeyValue("requestId", requestId)
                                .log("upstream contract break: {} [request={} instance={}]",
                                        failure.reason(), requestId, instances.base(instance));
                    }
                });
    }

    /**
     * A timeout's own fallback: given none, Reactor names the operator chain for the exception's
     * message on every subscription, whether or not it ever fires (3.5% of the CPU at 1,500/s).
     */
    private static <T> Mono<T> timedOut(Duration after) {
        return Mono.error(() -> new TimeoutException("no signal within " + after.toMillis() + " ms"));
    }

    private Mono<UserLookup> classify(long userId, ClientResponse response) {
        int status = response.statusCode().value();
        if (status == 200) {
            return response.bodyToMono(byte[].class)
                    .map(body -> (UserLookup) new UserLookup.Found(userId, InternalUserBody.name(body)))
                    .switchIfEmpty(Mono.error(() -> AttemptFailure.of(AttemptOutcome.MALFORMED, "200 with an empty body")));
        }
        if (status == 429) {
            Duration retryAfter = RetryAfter.parse(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER),
                    maxRetryAfter, Clock.systemUTC());
            return response.releaseBody().then(Mono.error(new AttemptFailure(AttemptOutcome.RATE_LIMITED, 429,
                    retryAfter, retryAfter == null ? "status 429" : "status 429, Retry-After " + retryAfter.toSeconds() + " s")));
        }
        if (status == 500 || status == 502 || status == 503 || status == 504) {
            return response.bodyToMono(String.class)
                    .defaultIfEmpty("")
                    .flatMap(body -> status == 500 && body.contains(NOT_FOUND_MARKER)
                            ? Mono.just(new UserLookup.NotFound(userId))
                            : Mono.error(new AttemptFailure(AttemptOutcome.TRANSIENT_STATUS, status, null, "status " + status)));
        }
        return response.releaseBody().then(Mono.error(new AttemptFailure(AttemptOutcome.UNEXPECTED_STATUS, status, null,
                "unexpected status " + status)));
    }

    /**
     * An attempt's error as its outcome (one operator on the hot path for both steps): transport
     * errors classified, and a timeout while our own event loops lagged put down to us, not to the
     * internal service.
     */
    private Throwable attemptError(Throwable error) {
        Throwable classified = error instanceof AttemptFailure ? error : classify(error);
        if (!(classified instanceof AttemptFailure failure)) {
            return classified;
        }
        boolean timedOut = failure.outcome() == AttemptOutcome.RESPONSE_TIMEOUT
                || failure.outcome() == AttemptOutcome.CONNECT_FAILURE;
        return timedOut && guards.lagging()
                ? AttemptFailure.of(AttemptOutcome.OWN_OVERLOAD, "no answer in time while this process lagged: " + failure.reason())
                : failure;
    }

    /** Maps a transport error to the attempt's outcome; unknown errors pass through unchanged. */
    private Throwable classify(Throwable error) {
        if (error instanceof TimeoutException) {
            return AttemptFailure.of(AttemptOutcome.RESPONSE_TIMEOUT, "attempt timeout");
        }
        if (error instanceof DataBufferLimitException) {
            return AttemptFailure.of(AttemptOutcome.MALFORMED, "oversized body");
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectTimeoutException) {
                return AttemptFailure.of(AttemptOutcome.CONNECT_FAILURE, connectTimeoutText);
            }
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                    || cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
                return AttemptFailure.of(AttemptOutcome.CONNECT_FAILURE, "connect failed");
            }
            if (cause instanceof ReadTimeoutException) {
                return AttemptFailure.of(AttemptOutcome.RESPONSE_TIMEOUT,
                        "response timeout after " + responseTimeout.toMillis() + " ms");
            }
            if (cause instanceof PrematureCloseException) {
                return AttemptFailure.of(AttemptOutcome.CONNECTION_CLOSED, "connection closed before response");
            }
            if (cause instanceof PoolAcquireTimeoutException || cause instanceof PoolAcquirePendingLimitException) {
                return AttemptFailure.of(AttemptOutcome.POOL_EXHAUSTED, "no pooled connection in time");
            }
            if (cause instanceof DataBufferLimitException) {
                return AttemptFailure.of(AttemptOutcome.MALFORMED, "oversized body");
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return AttemptFailure.of(AttemptOutcome.CONNECTION_CLOSED, "connection failed: " + cause.getClass().getSimpleName());
            }
        }
        return error;
    }
}
