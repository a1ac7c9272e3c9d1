/**
 * What one caller may take: a token bucket per client ({@link dev.namegate.limits.ClientLimitsFilter}),
 * an exact quota of distinct user ids per client and rolling window against walking the data set,
 * and throttling of source addresses that keep failing authentication
 * ({@link dev.namegate.limits.AddressGuard}), whose address is worked out from the TCP peer and,
 * only behind trusted proxies, {@code X-Forwarded-For} ({@link dev.namegate.limits.SourceAddresses};
 * {@link dev.namegate.limits.UntrustedForwardedFor} warns of a proxy nobody listed).
 * All limit state sits behind {@link dev.namegate.limits.ClientLimitStore}, whose calls answer
 * with a {@code Mono}: the in-memory implementation is per replica; {@code limits.redis} shares
 * the limits across replicas and chooses between the two at start ({@code namegate.limits.store}).
 */
package dev.namegate.limits;
