package dev.namegate.upstream;

/**
 * The closed set of things one attempt toward the internal service can come to. Retry decisions
 * and metrics are made on this value, never on exception types or raw statuses.
 */
public enum AttemptOutcome {
    /** 200 with a usable name. */
    SUCCESS(null),
    /** 500 whose body says {@code User not exists}: an answer, never retried. */
    NOT_FOUND(null),
    /** 500, 502, 503 or 504 without the not-found marker. */
    TRANSIENT_STATUS(Allowance.STATUSES),
    /** 429: the internal service asks us to slow down. */
    RATE_LIMITED(Allowance.STATUSES),
    /** The connect failed or timed out: nothing reached the service. */
    CONNECT_FAILURE(Allowance.CONNECT_FAILURES),
    /** No response in time (response timeout or the whole-attempt timeout). */
    RESPONSE_TIMEOUT(Allowance.RESPONSE_TIMEOUTS),
    /** The connection closed before a complete response. */
    CONNECTION_CLOSED(Allowance.CONNECTIONS_CLOSED),
    /** A 200 without a usable JSON name, or an oversized body: a contract break. */
    MALFORMED(null),
    /** A status the contract does not have (e.g. a 4xx other than 429): a contract break. */
    UNEXPECTED_STATUS(null),
    /** Our own connection pool had no connection in time: local overload, not retried. */
    POOL_EXHAUSTED(null),
    /**
     * No answer in time while our own event loops lagged: the delay may well be ours, so it is
     * held against neither the internal service nor its instances, and not retried (a retry would
     * only add to the overload).
     */
    OWN_OVERLOAD(null);

    /** The allowance a retry of this outcome draws from. */
    public enum Allowance { STATUSES, CONNECT_FAILURES, RESPONSE_TIMEOUTS, CONNECTIONS_CLOSED }

    private final Allowance allowance;

    AttemptOutcome(Allowance allowance) {
        this.allowance = allowance;
    }

    /** The allowance a retry draws from, or {@code null} when this outcome is never retried. */
    public Allowance allowance() {
        return allowance;
    }

    public boolean retryable() {
        return allowance != null;
    }

    /**
     * Our own overload, not the internal service's doing: never retried, and held against neither
     * the service (breaker, rate) nor its instances.
     */
    public boolean local() {
        return this == POOL_EXHAUSTED || this == OWN_OVERLOAD;
    }
}
