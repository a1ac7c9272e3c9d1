package dev.namegate.upstream.attempt;

/**
 * The closed set of things one attempt toward the internal service can come to. Retry decisions,
 * metrics and every guard's bookkeeping are made on this value, never on exception types or raw
 * statuses; what each outcome means to each guard is the table below, not a branch in the client.
 */
public enum AttemptOutcome {
    /** 200 with a usable name. */
    SUCCESS(null, Health.GOOD, InstanceSignal.HEALTHY, PaceSignal.ANSWERED, false),
    /** 500 whose body says {@code User not exists}: an answer, never retried. */
    NOT_FOUND(null, Health.GOOD, InstanceSignal.HEALTHY, PaceSignal.ANSWERED, false),
    /** 500, 502, 503 or 504 without the not-found marker. */
    TRANSIENT_STATUS(Allowance.STATUSES, Health.BAD, InstanceSignal.NONE, PaceSignal.ANSWERED, false),
    /** 429: the internal service asks us to slow down; says nothing about its health. */
    RATE_LIMITED(Allowance.STATUSES, Health.NEUTRAL, InstanceSignal.NONE, PaceSignal.RATE_LIMITED, false),
    /** The connect failed or timed out: nothing reached the service. */
    CONNECT_FAILURE(Allowance.CONNECT_FAILURES, Health.BAD, InstanceSignal.CONNECT_FAILED, PaceSignal.NONE, true),
    /** No response in time (response timeout or the whole-attempt timeout). */
    RESPONSE_TIMEOUT(Allowance.RESPONSE_TIMEOUTS, Health.BAD, InstanceSignal.TIMED_OUT, PaceSignal.ANSWERED, true),
    /** The connection closed before a complete response. */
    CONNECTION_CLOSED(Allowance.CONNECTIONS_CLOSED, Health.BAD, InstanceSignal.NONE, PaceSignal.ANSWERED, false),
    /** A 200 without a usable JSON name, or an oversized body: a contract break. */
    MALFORMED(null, Health.BAD, InstanceSignal.NONE, PaceSignal.ANSWERED, false),
    /** A status the contract does not have (e.g. a 4xx other than 429): a contract break. */
    UNEXPECTED_STATUS(null, Health.BAD, InstanceSignal.NONE, PaceSignal.ANSWERED, false),
    /** Our own connection pool had no connection in time: local overload, not retried. */
    POOL_EXHAUSTED(null, Health.NEUTRAL, InstanceSignal.NONE, PaceSignal.NONE, false),
    /**
     * No answer in time while we shed load (our loops lag and the admission gate holds a limit):
     * the delay may well be ours, so it is held against neither the internal service nor its
     * instances, and not retried (a retry would only add to the overload).
     */
    OWN_OVERLOAD(null, Health.NEUTRAL, InstanceSignal.NONE, PaceSignal.NONE, false);

    /** The allowance a retry of this outcome draws from. */
    public enum Allowance { STATUSES, CONNECT_FAILURES, RESPONSE_TIMEOUTS, CONNECTIONS_CLOSED }

    /** What an outcome tells the circuit breaker about the internal service's health. */
    public enum Health {
        /** It answered as the contract says. */
        GOOD,
        /** It failed. */
        BAD,
        /** Nothing: a 429, or our own overload. */
        NEUTRAL
    }

    /** What an outcome tells outlier ejection about the instance that was tried. */
    public enum InstanceSignal { HEALTHY, CONNECT_FAILED, TIMED_OUT, NONE }

    /** What an outcome tells the adaptive rate limiter. */
    public enum PaceSignal {
        /** An answer that was not a 429: the rate may rise. */
        ANSWERED,
        /** A 429: the rate is cut. */
        RATE_LIMITED,
        /** Nothing reached the service, or the delay was ours. */
        NONE
    }

    private final Allowance allowance;
    private final Health health;
    private final InstanceSignal instance;
    private final PaceSignal pace;
    private final boolean timeout;

    AttemptOutcome(Allowance allowance, Health health, InstanceSignal instance, PaceSignal pace, boolean timeout) {
        this.allowance = allowance;
        this.health = health;
        this.instance = instance;
        this.pace = pace;
        this.timeout = timeout;
    }

    /** The allowance a retry draws from, or {@code null} when this outcome is never retried. */
    public Allowance allowance() {
        return allowance;
    }

    public boolean retryable() {
        return allowance != null;
    }

    public Health health() {
        return health;
    }

    public InstanceSignal instance() {
        return instance;
    }

    public PaceSignal pace() {
        return pace;
    }

    /**
     * No answer came in time: right after our own event loops stalled, or while they lag, the
     * delay may well be ours rather than the internal service's.
     */
    public boolean timeout() {
        return timeout;
    }

    /**
     * Our own overload, not the internal service's doing: never retried, and held against neither
     * the service (breaker, rate) nor its instances.
     */
    public boolean local() {
        return this == POOL_EXHAUSTED || this == OWN_OVERLOAD;
    }
}
