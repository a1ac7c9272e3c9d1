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
 *     take 3 GB. Each entry is counted as {@link NameCache#ENTRY_OVERHEAD_BYTES} plus the bytes it
 *     is stored in (the name's UTF-8 and 9 more), so short names fit about 240,000 to the default.
 *     At start-up it must fit a quarter of the maximum heap ({@code HeapBudget}).
 * @param store which answers are stored (default {@code every-answer}). {@code repeated-ids}
 *     stores an answer only when its id was looked up lately already, so a repeated id is
 *     answered from the cache from its third request on instead of its second, and an id looked
 *     up once has no stale name to stand in for an error. For traffic of mostly distinct ids:
 *     there every stored answer is an insert and an eviction that outlive a young collection,
 *     and they made most of its pause (docs/benchmarks.md).
 * @param repeatedIdsRemembered with {@code repeated-ids}: the slots of the table of ids looked up
 *     lately (default 65,536, 8 bytes each; 2 to 4,194,304, rounded up to a power of two); an id
 *     is remembered for about that many other ids on average
 */
@Validated
@ConfigurationProperties("namegate.cache")
public record CacheProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("60s") Duration ttl,
        @NotNull @DefaultValue("5s") Duration negativeTtl,
        @NotNull @DefaultValue("10m") Duration staleIfError,
        @NotNull @DefaultValue("64MB") DataSize maxWeight,
        @NotNull @DefaultValue("every-answer") Store store,
        @DefaultValue("65536") int repeatedIdsRemembered) {

    /** Upper bound of {@code repeated-ids-remembered}: 32 MiB of remembered ids. */
    static final int MAX_REPEATED_IDS_REMEMBERED = 1 << 22;

    /** Which answers the cache stores. */
    public enum Store {
        /** Every answer from the internal service. */
        EVERY_ANSWER,
        /** An answer whose id was looked up lately already. */
        REPEATED_IDS
    }

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
        if (repeatedIdsRemembered < 2 || repeatedIdsRemembered > MAX_REPEATED_IDS_REMEMBERED) {
            throw new IllegalArgumentException("namegate.cache.repeated-ids-remembered (" + repeatedIdsRemembered
                    + ") must be 2 to " + MAX_REPEATED_IDS_REMEMBERED);
        }
    }
}
