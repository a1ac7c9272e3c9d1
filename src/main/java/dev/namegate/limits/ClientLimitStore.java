package dev.namegate.limits;

import java.net.InetAddress;
import java.time.Duration;

import dev.namegate.auth.Client;

/**
 * Everything the limits remember, behind one small interface so that a shared store (Redis, ...)
 * can replace the per-replica {@link InMemoryClientLimitStore} without touching the filters.
 * Implementations are called on event-loop threads: they must never block on IO or wait long for
 * a lock. Each call is one decision; implementations write the audit events of the transitions
 * they see (quota warning and exhaustion, throttle start and end).
 */
public interface ClientLimitStore {

    /** Takes one request from {@code client}'s token bucket. */
    RateDecision consume(Client client);

    /**
     * Counts {@code userId} towards {@code client}'s quota of distinct ids unless it is already
     * counted; refuses a new id once the quota is full, or once the store counts as many ids as
     * it may hold (a refusal that says nothing about the client).
     */
    QuotaDecision admit(Client client, long userId);

    /** How long {@code address} is still refused; {@link Duration#ZERO} when it may authenticate. */
    Duration throttled(InetAddress address);

    /** Counts one failed authentication from {@code address}; enough of them start a cool-down. */
    void authenticationFailed(InetAddress address);

    /**
     * One token-bucket decision and the numbers of the RateLimit header fields.
     *
     * @param allowed whether the request may proceed
     * @param limit bucket capacity in requests (the policy's {@code q})
     * @param windowSeconds seconds to refill an empty bucket, at least 1 (the policy's {@code w})
     * @param remaining requests left now (the {@code r})
     * @param resetSeconds seconds until the bucket is full again (the {@code t})
     * @param retryAfterSeconds when refused: seconds until one request is allowed, at least 1
     */
    record RateDecision(boolean allowed, long limit, long windowSeconds, long remaining, long resetSeconds,
            long retryAfterSeconds) {
    }

    /**
     * One quota decision.
     *
     * @param verdict whether the id may be read, and if not, whose limit refused it
     * @param used distinct ids counted now
     * @param quota distinct ids allowed per window
     * @param retryAfterSeconds when refused, at least 1: for {@link Verdict#OVER_QUOTA} seconds until
     *     the client's oldest counted id leaves the window; for {@link Verdict#REPLICA_FULL} a short
     *     wait after which the store may have room again
     */
    record QuotaDecision(Verdict verdict, int used, int quota, long retryAfterSeconds) {

        /** What the store decided. */
        public enum Verdict {
            /** The id is counted (or already was): read it. */
            ALLOWED,
            /** The client read its quota of distinct ids in the window. */
            OVER_QUOTA,
            /** Within the client's quota, but the store tracks as many ids as it may hold. */
            REPLICA_FULL
        }

        public boolean allowed() {
            return verdict == Verdict.ALLOWED;
        }
    }
}
