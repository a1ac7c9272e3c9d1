package dev.namegate.limits;

import java.net.InetAddress;
import java.time.Duration;

import dev.namegate.auth.Client;

import reactor.core.publisher.Mono;

/**
 * Everything the limits remember, behind one small interface: the per-replica
 * {@link InMemoryClientLimitStore} or a store shared by every replica ({@code limits.redis}).
 * Calls return at once and answer later, so a store may ask the network; they are made on
 * event-loop threads and must never block. Each call is one decision; implementations write the
 * audit events of the transitions they see (quota warning and exhaustion, throttle start and
 * end), once however many replicas share the store.
 */
public interface ClientLimitStore {

    /**
     * Takes one request from {@code client}'s token bucket and, when that is allowed and
     * {@code userId} is not negative, counts {@code userId} towards the client's quota of
     * distinct ids unless it is already counted (one call, so a shared store needs one round trip).
     */
    Mono<RequestDecision> decide(Client client, long userId);

    /**
     * Tells of one failed authentication from {@code address}: how long the address is still
     * refused, or {@link Duration#ZERO} when it was not throttled and this failure was counted
     * (enough of them start a cool-down).
     */
    Mono<Duration> countFailure(InetAddress address);

    /**
     * What one request may do.
     *
     * @param rate the token bucket's decision and header numbers
     * @param quota the quota's decision; {@link QuotaDecision#NOT_COUNTED} when no id was asked
     *     about or the rate refused first
     */
    record RequestDecision(RateDecision rate, QuotaDecision quota) {
    }

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

        /** No id was counted: the request reveals none, or the rate refused it first. */
        public static final QuotaDecision NOT_COUNTED = new QuotaDecision(Verdict.NOT_COUNTED, 0, 0, 0);

        /** What the store decided. */
        public enum Verdict {
            /** The id is counted (or already was): read it. */
            ALLOWED,
            /** The client read its quota of distinct ids in the window. */
            OVER_QUOTA,
            /** Within the client's quota, but the store tracks as many ids as it may hold. */
            REPLICA_FULL,
            /** No id was asked about. */
            NOT_COUNTED
        }

        /** Whether the request may go on: the id is counted, or none was asked about. */
        public boolean allowed() {
            return verdict == Verdict.ALLOWED || verdict == Verdict.NOT_COUNTED;
        }
    }
}
