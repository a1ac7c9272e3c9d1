package dev.namegate.limits;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.namegate.auth.ClientLimits;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

/**
 * Service-wide defaults of the per-client limits (a keys file line may override rate, burst and
 * quota per client), the brute-force throttle and the proxies whose {@code X-Forwarded-For} is
 * believed. With the memory store every limit is per replica (N replicas give a client up to N
 * times each of them); with the Redis store they hold across every replica sharing it.
 *
 * @param rate the per-client token bucket
 * @param quota distinct user ids per client per rolling window
 * @param bruteForce failed authentications per source address
 * @param trustedProxies {@code namegate.limits.trusted-proxies}: addresses or CIDRs (e.g.
 *     {@code 10.0.0.0/8}) of proxies in front of us; empty by default, i.e. the TCP peer is the
 *     source. Behind an ingress the ingress must be listed, or every client shares its address.
 * @param enabled {@code namegate.limits.enabled}: false leaves out the source-address throttle and
 *     the per-client limits, so a benchmark can measure what they cost (default true; never turn
 *     them off in production)
 * @param store {@code namegate.limits.store}: where the limits are kept, {@code memory} (default:
 *     each replica its own) or {@code redis} (shared by every replica; settings under
 *     {@code namegate.limits.redis}, falling back to memory while Redis does not answer)
 */
@Validated
@ConfigurationProperties("namegate.limits")
public record LimitsProperties(
        @Valid @NotNull @DefaultValue Rate rate,
        @Valid @NotNull @DefaultValue Quota quota,
        @Valid @NotNull @DefaultValue BruteForce bruteForce,
        @NotNull @DefaultValue List<String> trustedProxies,
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("memory") Store store) {

    /** Where the limits are kept. */
    public enum Store {
        /** In each replica's memory ({@link InMemoryClientLimitStore}). */
        MEMORY,
        /** In Redis, shared by every replica ({@code dev.namegate.limits.redis}). */
        REDIS
    }

    @ConstructorBinding
    public LimitsProperties {
        if (trustedProxies != null) {
            trustedProxies = List.copyOf(trustedProxies);
            for (String range : trustedProxies) {
                try {
                    Cidr.parse(range);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("namegate.limits.trusted-proxies: " + e.getMessage(), e);
                }
            }
        }
    }

    /** The settings with the per-replica memory store. */
    public LimitsProperties(Rate rate, Quota quota, BruteForce bruteForce, List<String> trustedProxies,
            boolean enabled) {
        this(rate, quota, bruteForce, trustedProxies, enabled, Store.MEMORY);
    }

    /**
     * Token bucket per client: {@code burst} requests at once, refilled at {@code perSecond}.
     *
     * @param perSecond {@code namegate.limits.rate.per-second}: sustained requests per second (default 50)
     * @param burst {@code namegate.limits.rate.burst}: bucket capacity in requests (default 100)
     */
    public record Rate(
            @Positive @DefaultValue("50") double perSecond,
            @Min(1) @DefaultValue("100") int burst) {

        public Rate {
            // The refill time is the w= of RateLimit-Policy and Bucket4j's refill period: keep it sane.
            if (perSecond > 0 && burst >= 1 && burst / perSecond > Duration.ofDays(1).toSeconds()) {
                throw new IllegalArgumentException("namegate.limits.rate: burst (" + burst + ") / per-second ("
                        + perSecond + ") must refill within one day");
            }
        }
    }

    /**
     * Anti-scraping quota: distinct user ids per client in a rolling window. Ids read again while
     * still counted are free.
     *
     * @param idsPerDay {@code namegate.limits.quota.ids-per-day}: distinct ids per window (default
     *     10,000, at most {@link ClientLimits#MAX_IDS_PER_DAY})
     * @param window {@code namegate.limits.quota.window}: how long an id stays counted (default 24 h)
     * @param warnAt {@code namegate.limits.quota.warn-at}: fraction of the quota at which one WARN
     *     audit event is written (default 0.8)
     * @param maxTrackedIds {@code namegate.limits.quota.max-tracked-ids}: distinct ids this replica
     *     counts over all clients at once (default 500,000, 50 clients at the default quota: 26 MB
     *     at 52 bytes per id while windows fill, at worst 64 MB at 128 bytes per id while they
     *     shrink); when reached, new ids are answered 503 overloaded instead of taking more heap,
     *     so lifted keys cannot exhaust it. At least {@code ids-per-day}; at start-up, its worst
     *     case must fit a quarter of the maximum heap ({@code HeapBudget}).
     */
    public record Quota(
            @Min(1) @Max(ClientLimits.MAX_IDS_PER_DAY) @DefaultValue("10000") int idsPerDay,
            @NotNull @DefaultValue("24h") Duration window,
            @DecimalMin("0.01") @DecimalMax("1.0") @DefaultValue("0.8") double warnAt,
            @Min(1) @DefaultValue("500000") long maxTrackedIds) {

        public Quota {
            if (window != null && (window.isNegative() || window.isZero())) {
                throw new IllegalArgumentException("namegate.limits.quota.window must be positive");
            }
            if (maxTrackedIds < idsPerDay) {
                throw new IllegalArgumentException("namegate.limits.quota.max-tracked-ids (" + maxTrackedIds
                        + ") must be at least namegate.limits.quota.ids-per-day (" + idsPerDay + ")");
            }
        }
    }

    /**
     * Brute-force throttle per source address: {@code maxFailures} failed authentications within
     * {@code window} and, for {@code coolDown}, every further key that fails from that address gets
     * 429 instead of 401. The key is checked first: a valid key from a throttled address is served.
     *
     * @param maxFailures {@code namegate.limits.brute-force.max-failures}: failures allowed per window (default 10)
     * @param window {@code namegate.limits.brute-force.window}: counting window (default 1 min)
     * @param coolDown {@code namegate.limits.brute-force.cool-down}: how long a throttled address is
     *     refused (default 5 min); at least the window, or an attacker would be let back before his
     *     failures are forgotten
     * @param maxAddresses {@code namegate.limits.brute-force.max-addresses}: addresses tracked at
     *     once (default 100,000, about 10 MB); an attacker spraying addresses cannot grow memory past it
     */
    public record BruteForce(
            @Min(1) @DefaultValue("10") int maxFailures,
            @NotNull @DefaultValue("1m") Duration window,
            @NotNull @DefaultValue("5m") Duration coolDown,
            @Min(1) @DefaultValue("100000") int maxAddresses) {

        public BruteForce {
            if (window != null && coolDown != null) {
                if (window.isNegative() || window.isZero()) {
                    throw new IllegalArgumentException("namegate.limits.brute-force.window must be positive");
                }
                if (coolDown.compareTo(window) < 0) {
                    throw new IllegalArgumentException("namegate.limits.brute-force.cool-down (" + coolDown
                            + ") must be at least namegate.limits.brute-force.window (" + window + ")");
                }
            }
        }
    }
}
