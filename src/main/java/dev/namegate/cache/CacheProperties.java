package dev.namegate.cache;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The name cache in front of the internal service.
 *
 * @param enabled false = every request goes to the internal service, no coalescing (default true)
 * @param ttl how long a name is served without asking again (default 60 s)
 * @param negativeTtl how long "User not exists" is served without asking again (default 5 s)
 * @param staleIfError how old a name may be to stand in for an error (default 10 min)
 * @param maxWeight {@code namegate.cache.max-weight}: the estimated heap the cached entries may
 *     take, names included (default 64 MB, at least 1 KB). A bound by bytes, not entries: a name
 *     may be as long as the internal service's body allows (16 KB), so 100,000 entries could
 *     take 3 GB. Each entry is counted as {@link NameCache#ENTRY_OVERHEAD_BYTES} plus 2 bytes per
 *     name character, so short names fit about 200,000 to the default. At start-up it must fit
 *     a quarter of the maximum heap ({@code HeapBudget}).
 */
@Validated
@ConfigurationProperties("namegate.cache")
public record CacheProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("60s") Duration ttl,
        @NotNull @DefaultValue("5s") Duration negativeTtl,
        @NotNull @DefaultValue("10m") Duration staleIfError,
        @NotNull @DefaultValue("64MB") DataSize maxWeight) {

    public CacheProperties {
        if (ttl != null && staleIfError != null && staleIfError.compareTo(ttl) < 0) {
            throw new IllegalArgumentException("namegate.cache.stale-if-error (" + staleIfError
                    + ") must not be shorter than namegate.cache.ttl (" + ttl + ")");
        }
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw new IllegalArgumentException("namegate.cache.ttl must be positive");
        }
        if (maxWeight != null && maxWeight.toBytes() < 1024) {
            throw new IllegalArgumentException("namegate.cache.max-weight (" + maxWeight + ") must be at least 1KB");
        }
    }
}
