package dev.namegate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import com.github.benmanes.caffeine.cache.Ticker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

import dev.namegate.testing.MockUpstream;
import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UpstreamProperties;
import dev.namegate.upstream.UserLookup;
import dev.namegate.upstream.client.InternalUserClient;
import dev.namegate.upstream.client.OwnLoad;
import dev.namegate.upstream.client.UpstreamClientConfiguration;

/**
 * The name cache over a real internal client and a scripted internal service; the cache's own
 * clock is moved by hand.
 */
class NameCacheTest {

    /** "ok", "missing" (User not exists), "down" (500 always), "slow" (200 after 300 ms). */
    private volatile String mode = "ok";
    @RegisterExtension
    final MockUpstream upstream = MockUpstream.answering(request -> switch (mode) {
        case "missing" -> MockUpstream.status(500, "User not exists.");
        case "down" -> MockUpstream.status(500, "Internal error");
        case "slow" -> MockUpstream.name("John").newBuilder().headersDelay(300, TimeUnit.MILLISECONDS).build();
        case "long" -> MockUpstream.name(LONG_NAME);
        default -> MockUpstream.name("John");
    });
    private final AtomicLong now = new AtomicLong();
    private final Ticker ticker = now::get;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** Slots of the table of repeated ids where a test does not care: more than any test looks up. */
    private static final int TABLE_SLOTS = 1_024;

    /** 4,000 characters, 8,000 bytes as UTF-8: with 16 KB upstream bodies allowed, names are not small. */
    private static final String LONG_NAME = "\u00d1".repeat(4_000);

    private NameCache cache(boolean enabled) {
        return cache(enabled, DataSize.ofMegabytes(64));
    }

    private NameCache cache(boolean enabled, DataSize maxWeight) {
        return cache(enabled, maxWeight, CacheProperties.Store.EVERY_ANSWER, TABLE_SLOTS);
    }

    private UpstreamProperties upstreamProperties() {
        return new Binder(new MapConfigurationPropertySource(java.util.Map.of(
                "namegate.upstream.base-urls", upstream.baseUrl(),
                "namegate.upstream.connect-timeout", "1s",
                "namegate.upstream.response-timeout", "2s",
                "namegate.upstream.attempt-timeout", "3s",
                "namegate.upstream.deadline", "5s",
                "namegate.upstream.allowances.statuses", "1",
                // the cache is the subject: one attempt after another, nothing in between
                "namegate.upstream.hedging.enabled", "false",
                "namegate.upstream.budget.enabled", "false",
                "namegate.upstream.breaker.enabled", "false",
                "namegate.upstream.rate-limit.enabled", "false")))
                .bind("namegate.upstream", UpstreamProperties.class).get();
    }

    private NameCache cache(CacheProperties.Store store, int repeatedIdsRemembered) {
        return cache(true, DataSize.ofMegabytes(64), store, repeatedIdsRemembered);
    }

    private NameCache cache(boolean enabled, DataSize maxWeight, CacheProperties.Store store,
            int repeatedIdsRemembered) {
        UpstreamProperties properties = upstreamProperties();
        InternalUserClient client = UpstreamClientConfiguration.internalUserClient(HttpClient.create(), properties, meters,
                Schedulers.parallel(), OwnLoad.NONE);
        CacheProperties settings = new CacheProperties(enabled, Duration.ofSeconds(60), Duration.ofSeconds(5),
                Duration.ofMinutes(10), maxWeight, store, repeatedIdsRemembered);
        // maintenance (eviction) on the calling thread, so the bound holds when a call returns
        return new NameCache(client, settings, meters, ticker, Runnable::run);
    }

    @Test
    void longNamesCannotTakeTheCachePastItsWeight() {
        DataSize maxWeight = DataSize.ofKilobytes(64);
        NameCache cache = cache(true, maxWeight);
        mode = "long";
        for (long id = 1; id <= 100; id++) {
            assertThat(lookup(cache, id).lookup()).isEqualTo(new UserLookup.Found(id, LONG_NAME));
            assertThat(cache.weightedSize()).as("after %d names", id).isLessThanOrEqualTo(maxWeight.toBytes());
        }
        // each name alone is 8,000 bytes as UTF-8: at most 8 fit in 64 KB, whatever the estimate's overhead
        assertThat(cache.size()).isBetween(1L, maxWeight.toBytes() / (2L * LONG_NAME.length()));
        assertThat(lookup(cache, 100).cacheStatus()).as("the latest is kept").startsWith("namegate; hit");
    }

    @Test
    void aMaxWeightBeyondAQuarterOfTheHeapStopsTheStartNamingTheProperty() {
        CacheProperties huge = new CacheProperties(true, Duration.ofSeconds(60), Duration.ofSeconds(5),
                Duration.ofMinutes(10), DataSize.ofTerabytes(1), CacheProperties.Store.EVERY_ANSWER, TABLE_SLOTS);
        assertThatThrownBy(() -> new CacheConfiguration().nameCache(null, huge, meters, Schedulers.parallel()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("namegate.cache.max-weight (1099511627776B)")
                .hasMessageContaining("of the maximum heap");
    }

    @Test
    void anEntryWeighsItsNamesUtf8BytesAndTimeAndKindPlusAFixedOverhead() {
        assertThat(NameCache.weight(StoredName.found("x".repeat(16_000), 1L)))
                .isEqualTo(NameCache.ENTRY_OVERHEAD_BYTES + StoredName.HEADER_BYTES + 16_000);
        assertThat(NameCache.weight(StoredName.found("é", 1L)))
                .isEqualTo(NameCache.ENTRY_OVERHEAD_BYTES + StoredName.HEADER_BYTES + 2);
        assertThat(NameCache.weight(StoredName.notFound(1L))).isEqualTo(NameCache.ENTRY_OVERHEAD_BYTES + StoredName.HEADER_BYTES);
    }

    @Test
    void aStoredNameGivesBackItsNameTimeAndKind() {
        long storedAt = -123_456_789_012L; // a Ticker's nanos may be negative
        byte[] found = StoredName.of(new UserLookup.Found(7, "Zoë \uD83D\uDE00 O'Brien"), storedAt);
        assertThat(StoredName.userExists(found)).isTrue();
        assertThat(StoredName.storedAt(found)).isEqualTo(storedAt);
        assertThat(StoredName.lookup(found, 9)).isEqualTo(new UserLookup.Found(9, "Zoë \uD83D\uDE00 O'Brien"));

        byte[] empty = StoredName.of(new UserLookup.Found(7, ""), 5L);
        assertThat(StoredName.userExists(empty)).as("an empty name is a name").isTrue();
        assertThat(StoredName.lookup(empty, 7)).isEqualTo(new UserLookup.Found(7, ""));

        byte[] notFound = StoredName.of(new UserLookup.NotFound(7), Long.MAX_VALUE);
        assertThat(StoredName.userExists(notFound)).isFalse();
        assertThat(StoredName.storedAt(notFound)).isEqualTo(Long.MAX_VALUE);
        assertThat(StoredName.lookup(notFound, 8)).isEqualTo(new UserLookup.NotFound(8));
    }

    private CachedLookup lookup(NameCache cache, long id) {
        return cache.lookup(id, "req", "0af7651916cd43dd8448eb211c80319c").block(Duration.ofSeconds(10));
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aFreshNameIsServedFromTheCacheWithItsRemainingTtl() {
        NameCache cache = cache(true);
        assertThat(lookup(cache, 1).cacheStatus()).isEqualTo("namegate; fwd=miss; stored");
        advance(Duration.ofSeconds(20));
        CachedLookup hit = lookup(cache, 1);
        assertThat(hit.lookup()).isEqualTo(new UserLookup.Found(1, "John"));
        assertThat(hit.cacheStatus()).isEqualTo("namegate; hit; ttl=40");
        assertThat(upstream.requestCount()).isEqualTo(1);

        advance(Duration.ofSeconds(41)); // expired: asked again
        assertThat(lookup(cache, 1).cacheStatus()).isEqualTo("namegate; fwd=miss; stored");
        assertThat(upstream.requestCount()).isEqualTo(2);
    }

    @Test
    void concurrentRequestsForOneIdShareOneUpstreamCall() {
        NameCache cache = cache(true);
        mode = "slow";
        List<CachedLookup> answers = Flux.range(0, 50)
                .flatMap(i -> cache.lookup(7, "req-" + i, "0af7651916cd43dd8448eb211c80319c"), 50)
                .collectList().block(Duration.ofSeconds(10));

        assertThat(answers).hasSize(50).allMatch(a -> a.lookup().equals(new UserLookup.Found(7, "John")));
        assertThat(upstream.requestCount()).isEqualTo(1);
        assertThat(answers).filteredOn(a -> a.cacheStatus().endsWith("stored")).hasSize(1);
        assertThat(answers).filteredOn(a -> a.cacheStatus().endsWith("collapsed")).hasSize(49);
        assertThat(meters.get("namegate.cache.requests").tag("result", "collapsed").counter().count()).isEqualTo(49);
    }

    @Test
    void userNotExistsIsCachedForTheShortNegativeTtl() {
        NameCache cache = cache(true);
        mode = "missing";
        assertThat(lookup(cache, 999).lookup()).isInstanceOf(UserLookup.NotFound.class);
        advance(Duration.ofSeconds(4));
        assertThat(lookup(cache, 999).cacheStatus()).isEqualTo("namegate; hit; ttl=1");
        assertThat(upstream.requestCount()).isEqualTo(1);
        advance(Duration.ofSeconds(2));
        lookup(cache, 999);
        assertThat(upstream.requestCount()).isEqualTo(2);
    }

    @Test
    void aStaleNameStandsInForAnErrorUpToItsMaximumAge() {
        NameCache cache = cache(true);
        lookup(cache, 1);
        mode = "down";

        advance(Duration.ofMinutes(5));
        CachedLookup stale = lookup(cache, 1);
        assertThat(stale.lookup()).isEqualTo(new UserLookup.Found(1, "John"));
        assertThat(stale.cacheStatus()).isEqualTo("namegate; fwd=stale; fwd-status=502");
        assertThat(meters.get("namegate.cache.requests").tag("result", "stale").counter().count()).isEqualTo(1);

        advance(Duration.ofMinutes(6)); // older than stale-if-error: the error shows
        StepVerifier.create(cache.lookup(1, "req", "0af7651916cd43dd8448eb211c80319c"))
                .expectErrorSatisfies(e -> assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.FAILED))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void withRepeatedIdsAnAnswerIsStoredOnlyOnceItsIdWasLookedUpBefore() {
        NameCache cache = cache(CacheProperties.Store.REPEATED_IDS, TABLE_SLOTS);
        assertThat(lookup(cache, 1).cacheStatus()).isEqualTo("namegate; fwd=miss");
        assertThat(cache.size()).isZero();
        assertThat(lookup(cache, 1).cacheStatus()).isEqualTo("namegate; fwd=miss; stored");
        CachedLookup third = lookup(cache, 1);
        assertThat(third.lookup()).isEqualTo(new UserLookup.Found(1, "John"));
        assertThat(third.cacheStatus()).isEqualTo("namegate; hit; ttl=60");
        assertThat(upstream.requestCount()).isEqualTo(2);

        // ids looked up once each store nothing
        for (long id = 100; id < 200; id++) {
            assertThat(lookup(cache, id).cacheStatus()).isEqualTo("namegate; fwd=miss");
        }
        assertThat(cache.size()).isEqualTo(1);
        assertThat(meters.get("namegate.cache.requests").tag("result", "miss").counter().count()).isEqualTo(102);
        assertThat(meters.get("namegate.cache.answers.not.stored").counter().count()).isEqualTo(101);
    }

    @Test
    void withRepeatedIdsAnIdWithAnEntryIsStoredAgainThoughTheTableForgotIt() {
        // two slots: the ids in between push id 1 out of the table, not out of the cache
        NameCache cache = cache(CacheProperties.Store.REPEATED_IDS, 2);
        lookup(cache, 1);
        lookup(cache, 1);
        RepeatedIds sameTable = new RepeatedIds(2);
        sameTable.lookedUpBefore(1);
        for (long id = 2; id < 40; id++) {
            lookup(cache, id);
            sameTable.lookedUpBefore(id);
        }
        assertThat(sameTable.lookedUpBefore(1)).as("id 1 left a table of two slots").isFalse();
        advance(Duration.ofSeconds(61));
        assertThat(lookup(cache, 1).cacheStatus()).isEqualTo("namegate; fwd=miss; stored");
        assertThat(lookup(cache, 1).cacheStatus()).isEqualTo("namegate; hit; ttl=60");

        mode = "down";
        advance(Duration.ofSeconds(61));
        assertThat(lookup(cache, 1).cacheStatus()).isEqualTo("namegate; fwd=stale; fwd-status=502");
    }

    @Test
    void theTableOfRepeatedIdsForgetsAnIdOnceAnotherTakesItsSlot() {
        RepeatedIds ids = new RepeatedIds(3);
        assertThat(ids.slots()).isEqualTo(4);
        assertThat(ids.lookedUpBefore(0)).isFalse();
        assertThat(ids.lookedUpBefore(0)).as("0 is an id like any other").isTrue();
        assertThat(ids.lookedUpBefore(7)).isFalse();
        assertThat(ids.lookedUpBefore(7)).isTrue();
        // more ids than slots: some of them took 7's slot
        for (long id = 100; id < 120; id++) {
            ids.lookedUpBefore(id);
        }
        assertThat(ids.lookedUpBefore(7)).isFalse();
    }

    @Test
    void theStoreAndTheTableBindFromTheirPropertyNamesWithinTheirBounds() {
        for (int remembered : new int[] {2, CacheProperties.MAX_REPEATED_IDS_REMEMBERED}) {
            CacheProperties bound = new Binder(new MapConfigurationPropertySource(java.util.Map.of(
                    "namegate.cache.store", "repeated-ids",
                    "namegate.cache.repeated-ids-remembered", Integer.toString(remembered))))
                    .bind("namegate.cache", CacheProperties.class).get();
            assertThat(bound.store()).isEqualTo(CacheProperties.Store.REPEATED_IDS);
            assertThat(bound.repeatedIdsRemembered()).isEqualTo(remembered);
        }
        assertThat(RepeatedIds.bytes(CacheProperties.MAX_REPEATED_IDS_REMEMBERED)).isEqualTo(32L << 20);
        assertThat(RepeatedIds.bytes(3)).isEqualTo(32);
    }

    @Test
    void repeatedIdsRememberedOutsideItsBoundsStopsTheStartNamingTheProperty() {
        for (int remembered : new int[] {1, CacheProperties.MAX_REPEATED_IDS_REMEMBERED + 1}) {
            assertThatThrownBy(() -> new CacheProperties(true, Duration.ofSeconds(60), Duration.ofSeconds(5),
                    Duration.ofMinutes(10), DataSize.ofMegabytes(64), CacheProperties.Store.REPEATED_IDS, remembered))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("namegate.cache.repeated-ids-remembered (" + remembered + ")");
        }
    }

    @Test
    void switchedOffEveryRequestGoesUpstreamWithoutCacheStatus() {
        NameCache cache = cache(false);
        assertThat(lookup(cache, 1).cacheStatus()).isNull();
        assertThat(lookup(cache, 1).cacheStatus()).isNull();
        assertThat(upstream.requestCount()).isEqualTo(2);
    }

    @Test
    void theEvictionDrillEvictsInACacheOfItsOwnAndLeavesThisOneAsItWas() {
        NameCache cache = cache(true);
        lookup(cache, 1);
        lookup(cache, 1);

        // far more than its own cache holds: it evicts, and its repeated ids are hits in it
        long evicted = cache.drillEviction(20_000);

        assertThat(evicted).isGreaterThan(5_000).isLessThan(20_000);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(lookup(cache, 1).cacheStatus()).startsWith("namegate; hit");
        assertThat(upstream.requestCount()).isEqualTo(1);
        assertThat(meters.get("namegate.cache.requests").tag("result", "hit").counter().count()).isEqualTo(2);
        assertThat(meters.get("namegate.cache.requests").tag("result", "miss").counter().count()).isEqualTo(1);
        assertThat(cache(false).drillEviction(20_000)).isZero();
    }
}
