package dev.namegate.cache;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The name cache in front of the internal service.
 *
 * @param enabled false = every request goes to the internal service, no coalescing (default true)
 * @param ttl how long a name is served without asking again (default 60 s)
 * @param negativeTtl how long "User not exists" is served without asking again (default 5 s)
 * @param staleIfError how old a name may be to stand in for an error (default 10 min)
 * @param maxEntries names kept at most (default 100,000)
 */
@Validated
@ConfigurationProperties("namegate.cache")
public record CacheProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("60s") Duration ttl,
        @NotNull @DefaultValue("5s") Duration negativeTtl,
        @NotNull @DefaultValue("10m") Duration staleIfError,
        @Min(1) @DefaultValue("100000") long maxEntries) {

    public CacheProperties {
        if (ttl != null && staleIfError != null && staleIfError.compareTo(ttl) < 0) {
            throw new IllegalArgumentException("namegate.cache.stale-if-error (" + staleIfError
                    + ") must not be shorter than namegate.cache.ttl (" + ttl + ")");
        }
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw new IllegalArgumentException("namegate.cache.ttl must be positive");
        }
    }
}
