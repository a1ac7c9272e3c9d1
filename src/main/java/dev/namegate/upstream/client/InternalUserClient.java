package dev.namegate.upstream.client;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.client.HttpClientRequest;

import dev.namegate.time.EventLoopTimers;
import dev.namegate.trace.TraceParent;
import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UpstreamProperties;
import dev.namegate.upstream.UserLookup;
import dev.namegate.upstream.UserLookups;
import dev.namegate.upstream.attempt.AttemptClassifier;
import dev.namegate.upstream.attempt.AttemptFailure;
import dev.namegate.upstream.attempt.AttemptOutcome;
import dev.namegate.upstream.attempt.InternalUserBody;
import dev.namegate.upstream.attempt.RetryAfter;
import dev.namegate.upstream.hedging.HedgedAttempts;
import dev.namegate.upstream.instances.UpstreamInstances;
import dev.namegate.upstream.pacing.Pacing;
import dev.namegate.upstream.retry.RetryPolicy;

/**
 * The internal user service, made dependable: each lookup is a series of rounds of hedged,
 * classified attempts under one {@link RetryPolicy}, each attempt bounded by its own timeouts, all
 * of it bounded by the deadline. Every attempt's outcome is told to every guard ({@link Guards});
 * what it means to each is written in {@link AttemptOutcome}. The POST only reads, so retrying it
 * is safe.
 *
 * <p>Longer than one screen by its comments: the code is a lookup's rounds, the hedge gate, the guards' bookkeeping of one attempt, and the send and read; which outcome counts for which guard is data in AttemptOutcome.
 */
public final class InternalUserClient implements UserLookups {

    /** A hedge waits at most this long for a rate permit; a hedge that would wait longer is not sent now. */
    private static final long HEDGE_PERMIT_SLACK_NANOS = 3_000_000L;
    /** A hedge refused for now is asked for again after this: by then a permit refused for being too far off is near. */
    private static final Duration HEDGE_REASK = Duration.ofNanos(HEDGE_PERMIT_SLACK_NANOS);

    private static final Logger LOG = LoggerFactory.getLogger(InternalUserClient.class);

    private static final AsciiString REQUEST_ID = AsciiString.cached("X-Request-Id");
    private static final AsciiString TRACE_PARENT = AsciiString.cached(TraceParent.HEADER);
    private static final AsciiString JSON = AsciiString.cached(MediaType.APPLICATION_JSON_VALUE);

    private final WebClient webClient;
    private final UpstreamInstances instances;
    private final RetryPolicy policy;
    private final AttemptClassifier classifier;
    private final Guards guards;
    private final UpstreamMetrics metrics;
    private final Duration responseTimeout;
    private final Duration maxRetryAfter;
    private final Clock clock;
    /** For the timers that wait for an answer: they let the event loop read what arrived first. */
    private final Scheduler answerTimers;
    private final UnaryOperator<Throwable> attemptErrors = this::attemptError;

    InternalUserClient(WebClient webClient, UpstreamProperties properties, UpstreamInstances instances,
            RetryPolicy policy, Guards guards, UpstreamMetrics metrics, Clock clock) {
        this.webClient = webClient;
        this.instances = instances;
        this.policy = policy;
        this.classifier = new AttemptClassifier(properties.connectTimeout(), properties.responseTimeout());
        this.guards = guards;
        this.metrics = metrics;
        this.responseTimeout = properties.responseTimeout();
        this.maxRetryAfter = properties.maxRetryAfter();
        this.clock = clock;
        this.answerTimers = EventLoopTimers.readingFirst(policy.scheduler());
    }

    /**
     * Keeps the breaker and outlier ejection out of the way while this process warms up: a cold
     * JVM misses timeouts of a few milliseconds for reasons of its own, which must neither open the
     * breaker nor eject healthy instances. {@link #resumeJudging()} starts both afresh.
     */
    void suspendJudging() {
        guards.breaker().suspend();
        instances.suspend(true);
    }

    /** Puts the breaker and outlier ejection back to work, with no memory of the warm-up. */
    void resumeJudging() {
        guards.breaker().resume();
        instances.suspend(false);
    }

    @Override
    public Mono<UserLookup> lookup(long userId, String requestId, String traceId, long elapsedNanos) {
        return Mono.defer(() -> {
            Lookup lookup = new Lookup(userId, requestId, traceId, policy.start(requestId, elapsedNanos));
            guards.budget().deposit();
            Duration deadline = lookup.run.timeLeft();
            if (deadline.isZero()) {
                return Mono.error(lookup.deadlineExpired());
            }
            return lookup.round()
                    .onErrorResume(lookup::retriedAfter)
                    // the per-attempt timeouts sit inside the retry; this one bounds everything, and
                    // fails as a deadline at once rather than through an operator on every lookup
                    .timeout(deadline, Mono.error(lookup::deadlineExpired), policy.scheduler());
        });
    }

    /** One lookup's rounds: which instance went last, the hedges left. Hedges run concurrently. */
    private final class Lookup implements HedgedAttempts.HedgeGate {
        private final long userId;
        private final String requestId;
        private final String traceId;
        private final RetryPolicy.Run run;
        private final AtomicInteger lastInstance = new AtomicInteger(-1);
        private final AtomicInteger hedgesLeft = new AtomicInteger(guards.maxHedges());
        /** Set by {@link #tryHedge()} for the hedge it lets go, read right after by {@link #attempt(int)}. */
        private volatile long hedgeWaitNanos;
        /** A due hedge of this lookup found no rate permit free (counted once: it is asked again every few ms). */
        private volatile boolean hedgeHeldBack;

        Lookup(long userId, String requestId, String traceId, RetryPolicy.Run run) {
            this.userId = userId;
            this.requestId = requestId;
            this.traceId = traceId;
            this.run = run;
        }

        /**
         * The rounds after a first that failed with {@code first}: the policy's retry decides on
         * {@code first} as on any failure. Subscribed only once a round has failed: a retry's
         * machinery (a sink, a serialized subscriber, a concatMap) would otherwise be built for
         * every lookup, though most need none.
         */
        Mono<UserLookup> retriedAfter(Throwable first) {
            AtomicReference<Throwable> unseen = new AtomicReference<>(first);
            return Mono.defer(() -> {
                Throwable failure = unseen.getAndSet(null);
                return failure != null ? Mono.<UserLookup>error(failure) : round();
            }).retryWhen(run.retry());
        }

        /**
         * A rate permit (earliest deadline first), then attempts, hedged; the hedge delay counts
         * from the send. Called when the round is subscribed: the first attempt starts right here
         * when the permit is granted at once.
         */
        Mono<UserLookup> round() {
            Mono<Void> permit = guards.pacing().permit(timeForAttemptsNanos(), this::noPermit);
            return permit == Pacing.GRANTED ? attempts() : permit.then(Mono.defer(this::attempts));
        }

        private Mono<UserLookup> attempts() {
            return HedgedAttempts.race(this::attempt, guards.hedgeDelay(), HEDGE_REASK, this, answerTimers, metrics);
        }

        private UpstreamFailure noPermit() {
            metrics.refused(UpstreamMetrics.Refusal.RATE_LIMIT);
            return new UpstreamFailure(UpstreamFailure.Kind.UNAVAILABLE, Duration.ofSeconds(1),
                    "no upstream rate permit before the deadline");
        }

        UpstreamFailure deadlineExpired() {
            int hedges = guards.maxHedges() - Math.max(0, hedgesLeft.get());
            return new UpstreamFailure(UpstreamFailure.Kind.DEADLINE, null, "deadline expired after " + run.progress()
                    + (hedges == 0 ? "" : ", " + hedges + (hedges == 1 ? " hedge" : " hedges")), run.lastFailure());
        }

        /**
         * A hedge may go when hedges are left, it has time to finish, a rate permit is free right
         * now (a hedge never queues: it would only add to a queue) and the budget pays for it.
         */
        @Override
        public HedgedAttempts.Verdict tryHedge() {
            // a hedge against our own lag would only deepen it, and asking again costs timers
            if (hedgesLeft.get() <= 0 || guards.ownLoad().overloaded() || timeForAttemptsNanos() < 0) {
                return HedgedAttempts.Verdict.NEVER;
            }
            long wait = guards.pacing().hedgePermit(HEDGE_PERMIT_SLACK_NANOS, timeForAttemptsNanos());
            if (wait < 0) {
                if (!hedgeHeldBack) {
                    hedgeHeldBack = true;
                    metrics.hedgeHeldBack();
                }
                return HedgedAttempts.Verdict.NOT_NOW;
            }
            // a spent budget refills with new traffic, not within milliseconds
            if (!guards.budget().tryWithdraw()) {
                return HedgedAttempts.Verdict.NEVER;
            }
            hedgeWaitNanos = wait;
            return hedgesLeft.decrementAndGet() >= 0 ? HedgedAttempts.Verdict.GO : HedgedAttempts.Verdict.NEVER;
        }

        private long timeForAttemptsNanos() {
            return run.timeLeftNanos() - policy.minAttemptTime().toNanos();
        }

        /** The n-th attempt of a round (its rate permit was taken before; a hedge may wait a moment for it). */
        Mono<UserLookup> attempt(int n) {
            long wait = n == 0 ? 0 : hedgeWaitNanos;
            return wait == 0 ? attemptNow()
                    : Mono.delay(Duration.ofNanos(wait), policy.scheduler()).then(Mono.defer(this::attemptNow));
        }

        private Mono<UserLookup> attemptNow() {
            if (!guards.breaker().tryEnter()) {
                metrics.refused(UpstreamMetrics.Refusal.BREAKER_OPEN);
                return Mono.error(new UpstreamFailure(UpstreamFailure.Kind.UNAVAILABLE, guards.breaker().retryAfter(),
                        "circuit breaker open"));
            }
            int instance = instances.pick(lastInstance.get());
            lastInstance.set(instance);
            return send(userId, instance, requestId, traceId, run.attemptTimeout(), new AttemptEnd(instance, requestId, now()));
        }
    }

    /** How one attempt ended, told to every guard once: its answer, its failure, or its abandonment. */
    private final class AttemptEnd implements TimedAttempt.Listener<UserLookup> {
        private final int instance;
        private final String requestId;
        private final long startNanos;

        AttemptEnd(int instance, String requestId, long startNanos) {
            this.instance = instance;
            this.requestId = requestId;
            this.startNanos = startNanos;
        }

        @Override
        public void answered(UserLookup found) {
            ended(instance, found instanceof UserLookup.NotFound ? AttemptOutcome.NOT_FOUND : AttemptOutcome.SUCCESS,
                    startNanos);
        }

        @Override
        public void failed(Throwable error) {
            if (error instanceof AttemptFailure failure) {
                if (failure.outcome() == AttemptOutcome.MALFORMED || failure.outcome() == AttemptOutcome.UNEXPECTED_STATUS) {
                    LOG.atWarn().addKeyValue("requestId", requestId).log("upstream contract break: {} [request={} instance={}]",
                            failure.reason(), requestId, instances.base(instance));
                }
                ended(instance, failure.outcome(), startNanos);
            } else {
                guards.breaker().failed(now() - startNanos, error);
            }
        }

        /** A hedge that lost, or the deadline: not a judgement on the upstream. */
        @Override
        public void abandoned() {
            guards.breaker().abandoned();
        }
    }

    /** Tells every guard how an attempt ended. */
    private void ended(int instance, AttemptOutcome outcome, long startNanos) {
        long nanos = now() - startNanos;
        boolean stalled = guards.ownLoad().stalled();
        // A timeout just after our own loops stalled (a GC pause, the JIT on a busy core) may have
        // been the stall's: it is still retried, but held against neither the instance nor the
        // breaker; one pause must not take healthy instances out of rotation.
        boolean excused = outcome.timeout() && stalled;
        metrics.record(outcome, nanos);
        if (!excused) {
            instances.record(instance, outcome);
        }
        if (outcome == AttemptOutcome.SUCCESS) {
            guards.hedgeDelay().succeeded(nanos);
        }
        guards.pacing().ended(outcome, stalled);
        guards.breaker().ended(outcome, excused, nanos);
    }

    /**
     * One attempt. Its exchange runs to its end though the attempt is given up (its timeout, the
     * deadline, a hedge that won, the caller gone): an answer already on its way is read and the
     * connection goes back to the pool, where closing it would make the next attempt connect
     * anew, which under our own overload costs the core most when it can least afford it. The
     * connection's own response timeout still closes it when no answer comes.
     */
    private Mono<UserLookup> send(long userId, int instance, String requestId, String traceId, Duration timeout,
            AttemptEnd end) {
        Duration headersTimeout = timeout.compareTo(responseTimeout) < 0 ? timeout : responseTimeout;
        Mono<UserLookup> exchange = webClient.post()
                .uri(instances.uri(instance, userId))
                .httpRequest(request -> prepare(request, requestId, traceId, headersTimeout))
                .exchangeToMono(response -> read(userId, response));
        return TimedAttempt.of(exchange, timeout, answerTimers, attemptErrors, end);
    }

    /**
     * The attempt's headers and its response timeout, set on the Netty request itself (the
     * WebClient's connector is always Reactor Netty's): given to WebClient, the headers would go
     * into a header map of its own, built and then copied over for every attempt.
     */
    private static void prepare(ClientHttpRequest request, String requestId, String traceId, Duration headersTimeout) {
        HttpClientRequest netty = request.getNativeRequest();
        netty.header(REQUEST_ID, requestId)
                .header(TRACE_PARENT, TraceParent.forNewSpan(traceId))
                .header(HttpHeaderNames.ACCEPT, JSON);
        ReadFirstResponseTimeout.expect(netty, headersTimeout);
    }

    /** The answer's status, then (where the status leaves it open) its body, as a lookup or a failure. */
    private Mono<UserLookup> read(long userId, ClientResponse response) {
        int status = response.statusCode().value();
        return switch (AttemptClassifier.ofStatus(status)) {
            case SUCCESS -> response.bodyToMono(byte[].class)
                    .map(body -> (UserLookup) new UserLookup.Found(userId, InternalUserBody.name(body)))
                    .switchIfEmpty(Mono.error(() -> AttemptFailure.of(AttemptOutcome.MALFORMED, "200 with an empty body")));
            case RATE_LIMITED -> {
                Duration retryAfter = RetryAfter.parse(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER),
                        maxRetryAfter, clock);
                yield response.releaseBody().then(Mono.error(new AttemptFailure(AttemptOutcome.RATE_LIMITED, status,
                        retryAfter, retryAfter == null ? "status 429" : "status 429, Retry-After " + retryAfter.toSeconds() + " s")));
            }
            case TRANSIENT_STATUS -> response.bodyToMono(String.class)
                    .defaultIfEmpty("")
                    .flatMap(body -> AttemptClassifier.isNotFound(status, body)
                            ? Mono.just(new UserLookup.NotFound(userId))
                            : Mono.error(new AttemptFailure(AttemptOutcome.TRANSIENT_STATUS, status, null, "status " + status)));
            default -> response.releaseBody().then(Mono.error(new AttemptFailure(AttemptOutcome.UNEXPECTED_STATUS, status,
                    null, "unexpected status " + status)));
        };
    }

    /**
     * An attempt's error as its outcome (one operator on the hot path for both steps): transport
     * errors classified, and a timeout while we shed load put down to us, not to the internal
     * service. A timeout while our loops lag but the gate admits everyone is retried, excused as
     * after a stall ({@link #ended}): a busy core that still answers in time must not turn a
     * late pass into a 503.
     */
    private Throwable attemptError(Throwable error) {
        Throwable classified = classifier.ofError(error);
        return classified instanceof AttemptFailure failure && failure.outcome().timeout() && guards.ownLoad().shedding()
                ? AttemptFailure.of(AttemptOutcome.OWN_OVERLOAD, "no answer in time while this process shed load: " + failure.reason())
                : classified;
    }

    private long now() {
        return policy.scheduler().now(TimeUnit.NANOSECONDS);
    }
}
