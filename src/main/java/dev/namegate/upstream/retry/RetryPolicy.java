package dev.namegate.upstream.retry;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;
import reactor.util.retry.Retry.RetrySignal;

import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UpstreamProperties;
import dev.namegate.upstream.attempt.AttemptFailure;
import dev.namegate.upstream.attempt.AttemptOutcome.Allowance;
import dev.namegate.upstream.attempt.AttemptOutcome;

/**
 * The retry policy toward the internal service, as an immutable value: per-kind allowances,
 * exponential backoff with full jitter, {@code Retry-After}, and one deadline over everything.
 * Reactor's {@code Retry.backoff} has a single counter and a single filter, so the policy builds
 * its own {@link Retry} with {@link Retry#from}; each lookup gets a fresh {@link Run} holding
 * that lookup's counters and start time.
 *
 * <p>Longer than most classes: the policy's rules are written out in its Javadoc; the code is a builder and one decision per failure.
 */
public final class RetryPolicy {

    /** Chooses the jittered delay in [0, ceiling] nanoseconds; replaced in tests to fix jitter. */
    private final LongUnaryOperator jitter;
    private final Map<Allowance, Integer> allowances;
    private final long baseNanos;
    private final long capNanos;
    private final long deadlineNanos;
    private final long minAttemptNanos;
    private final long attemptTimeoutNanos;
    private final Duration unavailableRetryAfter;
    private final Scheduler scheduler;
    private final RetryListener listener;
    private final RetryBudget budget;

    private RetryPolicy(Builder b) {
        this.jitter = b.jitter;
        this.allowances = new EnumMap<>(b.allowances);
        this.baseNanos = b.base.toNanos();
        this.capNanos = b.cap.toNanos();
        this.deadlineNanos = b.deadline.toNanos();
        this.minAttemptNanos = b.minAttemptTime.toNanos();
        this.attemptTimeoutNanos = b.attemptTimeout.toNanos();
        this.unavailableRetryAfter = b.unavailableRetryAfter;
        this.scheduler = b.scheduler;
        this.listener = b.listener;
        this.budget = b.budget;
    }

    /** The policy the properties describe, timing on {@code scheduler}. */
    public static RetryPolicy from(UpstreamProperties properties, Scheduler scheduler, RetryListener listener,
            RetryBudget budget) {
        UpstreamProperties.Allowances a = properties.allowances();
        return builder(scheduler)
                .allowance(Allowance.CONNECT_FAILURES, a.connectFailures())
                .allowance(Allowance.RESPONSE_TIMEOUTS, a.responseTimeouts())
                .allowance(Allowance.CONNECTIONS_CLOSED, a.connectionsClosed())
                .allowance(Allowance.STATUSES, a.statuses())
                .backoff(properties.backoff().base(), properties.backoff().cap(), properties.backoff().jitter())
                .deadline(properties.deadline())
                .attemptTimeout(properties.attemptTimeout())
                .minAttemptTime(properties.minAttemptTime())
                .unavailableRetryAfter(properties.unavailableRetryAfter())
                .listener(listener)
                .budget(budget)
                .build();
    }

    public static Builder builder(Scheduler scheduler) {
        return new Builder(scheduler);
    }

    public Duration deadline() {
        return Duration.ofNanos(deadlineNanos);
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** The shortest time worth starting an attempt with. */
    public Duration minAttemptTime() {
        return Duration.ofNanos(minAttemptNanos);
    }

    /** Starts the clock for one lookup; {@code requestId} labels its retry log lines. */
    public Run start(String requestId) {
        return start(requestId, 0);
    }

    /** Starts the clock for one lookup whose request arrived {@code elapsedNanos} ago: the deadline counts from then. */
    public Run start(String requestId, long elapsedNanos) {
        return new Run(requestId, scheduler.now(TimeUnit.NANOSECONDS) - Math.max(0, elapsedNanos));
    }

    /** Hears every retry decision (for logs); called on the thread that saw the failure. */
    @FunctionalInterface
    public interface RetryListener {
        RetryListener NONE = (requestId, attempt, failure, delay) -> { };

        /** {@code attempt} is the number of the attempt that failed (1 = the first). */
        void retrying(String requestId, long attempt, AttemptFailure failure, Duration delay);
    }

    /**
     * One lookup's retry state. Not thread-safe and needs none: Reactor delivers one retry signal
     * at a time, after the previous attempt has ended.
     */
    public final class Run {
        private final String requestId;
        private final long startNanos;
        private final int[] used = new int[Allowance.values().length];
        private int retries;
        /** The last failure a decision was made on, for the reason a deadline gives (read racily, logs only). */
        private volatile AttemptFailure lastFailure;

        private Run(String requestId, long startNanos) {
            this.requestId = requestId;
            this.startNanos = startNanos;
        }

        /** Time left before the deadline, in nanoseconds (negative once it has passed). */
        public long timeLeftNanos() {
            return deadlineNanos - (scheduler.now(TimeUnit.NANOSECONDS) - startNanos);
        }

        /** Time left before the deadline (never negative). */
        public Duration timeLeft() {
            return Duration.ofNanos(Math.max(0, timeLeftNanos()));
        }

        /** The next attempt's timeout: the configured one, shrunk to the time left. */
        public Duration attemptTimeout() {
            return Duration.ofNanos(Math.max(1, Math.min(attemptTimeoutNanos, timeLeftNanos())));
        }

        /** The {@link Retry} for this lookup: pass it to {@code retryWhen}. */
        public Retry retry() {
            return Retry.from(signals -> signals.concatMap(this::next));
        }

        private Mono<Long> next(RetrySignal signal) {
            if (!(signal.failure() instanceof AttemptFailure failure)) {
                return Mono.error(signal.failure());
            }
            Decision decision = decide(failure);
            if (decision.stop() != null) {
                return Mono.error(decision.stop());
            }
            listener.retrying(requestId, signal.totalRetries() + 1, failure, decision.delay());
            return Mono.delay(decision.delay(), scheduler);
        }

        /** The last failure a retry decision was made on, or {@code null} before the first. */
        public AttemptFailure lastFailure() {
            return lastFailure;
        }

        /** Retry after a delay, or stop with a failure; never both. */
        record Decision(Duration delay, UpstreamFailure stop) {
        }

        /** Where this run stands, for a failure's reason: {@code 2 retries, last: status 500}. */
        public String progress() {
            AttemptFailure last = lastFailure;
            return retries + (retries == 1 ? " retry" : " retries") + (last == null ? "" : ", last: " + last.reason());
        }

        Decision decide(AttemptFailure failure) {
            lastFailure = failure;
            AttemptOutcome outcome = failure.outcome();
            if (outcome.local()) {
                return stop(UpstreamFailure.Kind.UNAVAILABLE, unavailableRetryAfter, "overloaded: " + failure.reason());
            }
            if (!outcome.retryable()) {
                return stop(UpstreamFailure.Kind.FAILED, null, "not retryable: " + failure.reason());
            }
            Allowance allowance = outcome.allowance();
            if (used[allowance.ordinal()] >= allowances.getOrDefault(allowance, 0)) {
                return exhausted(failure);
            }
            long left = timeLeftNanos();
            long delay;
            if (outcome == AttemptOutcome.RATE_LIMITED && failure.retryAfter() != null) {
                delay = failure.retryAfter().toNanos();
                if (delay + minAttemptNanos > left) {
                    return stop(UpstreamFailure.Kind.UNAVAILABLE, failure.retryAfter(),
                            "rate limited, Retry-After does not fit the time left");
                }
            } else {
                delay = backoffNanos(retries);
                if (delay + minAttemptNanos > left && left >= 2 * minAttemptNanos) {
                    // near the deadline one more attempt beats a certain failure: the backoff
                    // shrinks to leave the attempt half the time left (at least the minimum, and
                    // the time left at least halves each time, so this ends within a few retries)
                    delay = (left - minAttemptNanos) / 2;
                }
                if (delay + minAttemptNanos > left) {
                    return outcome == AttemptOutcome.RATE_LIMITED
                            ? stop(UpstreamFailure.Kind.UNAVAILABLE, unavailableRetryAfter, "rate limited until the deadline")
                            : stop(UpstreamFailure.Kind.DEADLINE, null, "no time left for another attempt after: " + failure.reason());
                }
            }
            if (!budget.tryWithdraw()) {
                return stop(UpstreamFailure.Kind.UNAVAILABLE, unavailableRetryAfter,
                        "retry budget spent, last: " + failure.reason());
            }
            used[allowance.ordinal()]++;
            retries++;
            return new Decision(Duration.ofNanos(delay), null);
        }

        private Decision exhausted(AttemptFailure last) {
            String reason = "retries exhausted (" + last.outcome().allowance() + "), last: " + last.reason();
            return switch (last.outcome()) {
                case CONNECT_FAILURE -> stop(UpstreamFailure.Kind.UNAVAILABLE, unavailableRetryAfter, reason);
                case RATE_LIMITED -> stop(UpstreamFailure.Kind.UNAVAILABLE,
                        last.retryAfter() != null ? last.retryAfter() : unavailableRetryAfter, reason);
                case RESPONSE_TIMEOUT -> stop(UpstreamFailure.Kind.DEADLINE, null, reason);
                default -> stop(UpstreamFailure.Kind.FAILED, null, reason);
            };
        }

        /** Ends the retries; the failure decided on stays the cause. */
        private Decision stop(UpstreamFailure.Kind kind, Duration retryAfter, String reason) {
            return new Decision(null, new UpstreamFailure(kind, retryAfter, reason, lastFailure));
        }

    }

    /** The backoff before retry {@code n} (0-based): {@code min(cap, base * 2^n)}, jittered. */
    long backoffNanos(int n) {
        // base << n only when it cannot pass the cap (and so cannot overflow); else the cap
        long ceiling = n < 63 && baseNanos <= (capNanos >> n) ? baseNanos << n : capNanos;
        return jitter.applyAsLong(ceiling);
    }

    /** Mutable, single-use builder; {@link #build()} copies into the immutable policy. */
    public static final class Builder {
        private final Scheduler scheduler;
        private final Map<Allowance, Integer> allowances = new EnumMap<>(Allowance.class);
        private LongUnaryOperator jitter = ceiling -> ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
        private Duration base;
        private Duration cap;
        private Duration deadline;
        private Duration attemptTimeout;
        private Duration minAttemptTime;
        private Duration unavailableRetryAfter;
        private RetryListener listener = RetryListener.NONE;
        private RetryBudget budget = RetryBudget.UNLIMITED;

        /** Starts from the defaults of {@link UpstreamProperties}, their one source; no allowance yet. */
        private Builder(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            UpstreamProperties defaults = UpstreamProperties.defaults();
            this.base = defaults.backoff().base();
            this.cap = defaults.backoff().cap();
            this.deadline = defaults.deadline();
            this.attemptTimeout = defaults.attemptTimeout();
            this.minAttemptTime = defaults.minAttemptTime();
            this.unavailableRetryAfter = defaults.unavailableRetryAfter();
        }

        /** @throws IllegalArgumentException if {@code retries} is negative */
        public Builder allowance(Allowance allowance, int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("allowance " + allowance + " must not be negative: " + retries);
            }
            allowances.put(Objects.requireNonNull(allowance), retries);
            return this;
        }

        /** @param jittered false waits exactly the ceiling (tests); true draws in [0, ceiling] */
        public Builder backoff(Duration base, Duration cap, boolean jittered) {
            this.base = Objects.requireNonNull(base, "base");
            this.cap = Objects.requireNonNull(cap, "cap");
            if (!jittered) {
                this.jitter = ceiling -> ceiling;
            }
            return this;
        }

        public Builder deadline(Duration deadline) {
            this.deadline = Objects.requireNonNull(deadline, "deadline");
            return this;
        }

        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = Objects.requireNonNull(attemptTimeout, "attemptTimeout");
            return this;
        }

        public Builder minAttemptTime(Duration minAttemptTime) {
            this.minAttemptTime = Objects.requireNonNull(minAttemptTime, "minAttemptTime");
            return this;
        }

        public Builder unavailableRetryAfter(Duration unavailableRetryAfter) {
            this.unavailableRetryAfter = Objects.requireNonNull(unavailableRetryAfter, "unavailableRetryAfter");
            return this;
        }

        /** Retries also need a withdrawal from this budget (default {@link RetryBudget#UNLIMITED}). */
        public Builder budget(RetryBudget budget) {
            this.budget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        public Builder listener(RetryListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** @throws IllegalArgumentException if base > cap, or a duration is negative, or the deadline is not positive */
        public RetryPolicy build() {
            if (base.isNegative() || cap.isNegative() || base.compareTo(cap) > 0) {
                throw new IllegalArgumentException("backoff needs 0 <= base <= cap, was " + base + " / " + cap);
            }
            if (deadline.isZero() || deadline.isNegative() || attemptTimeout.isZero() || attemptTimeout.isNegative()
                    || minAttemptTime.isNegative()) {
                throw new IllegalArgumentException("deadline and attempt timeout must be positive");
            }
            return new RetryPolicy(this);
        }
    }
}
