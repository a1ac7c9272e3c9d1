package dev.namegate.cache;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.observability.DefaultSignalListener;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UserLookup;
import dev.namegate.upstream.UserLookups;

/**
 * Names by id in front of the internal service: a Caffeine cache bounded by the estimated bytes
 * of its entries ({@link CacheProperties#maxWeight()}), with a TTL (and a
 * shorter one for "User not exists"), request coalescing (concurrent requests for one id share
 * one upstream lookup), and stale-if-error: when the lookup fails, or is refused to protect the
 * internal service, a name up to {@code staleIfError} old is served instead, marked as such.
 *
 * <p>Entries live for {@code staleIfError}; whether one is fresh is decided on read, so one entry
 * serves both as a hit and as a stand-in. {@code Cache-Status} values follow RFC 9211:
 * {@code namegate; hit; ttl=N}, {@code namegate; fwd=miss; stored} ({@code namegate; fwd=miss}
 * for an answer not stored, see {@link CacheProperties#store()}), and
 * {@code namegate; fwd=stale; fwd-status=502} when a stale name stands in for a 502.
 */
public final class NameCache {

    private static final String HIT = "namegate; hit; ttl=";
    private static final String MISS = "namegate; fwd=miss; stored";
    private static final String MISS_NOT_STORED = "namegate; fwd=miss";
    private static final String COLLAPSED = "namegate; fwd=miss; collapsed";

    /**
     * What an entry costs beside its {@link StoredName} bytes, rounded up with room to spare:
     * Caffeine's node with its write time and weight, the map's node, the boxed id and the
     * array's header (about 130 bytes with compressed references).
     */
    static final int ENTRY_OVERHEAD_BYTES = 256;

    /** The eviction drill's cache: some 240 entries of {@link #DRILL_NAME}. */
    private static final long DRILL_MAX_WEIGHT_BYTES = 64 * 1024;
    /** The drill's stretches of new ids and of repeated ids, each a few of its cache's samples long. */
    private static final int DRILL_STRETCH = 4_096;
    /** The ids of a repeating stretch: they fit the drill's cache, so they are hits after their first. */
    private static final int DRILL_REPEATED_IDS = 64;
    private static final String DRILL_NAME = "warm-up";

    private final UserLookups client;
    private final boolean enabled;
    private final long ttlNanos;
    private final long negativeTtlNanos;
    private final long staleNanos;
    private final Ticker ticker;
    private final Executor maintenance;
    /** {@link StoredName} arrays by id. */
    private final Cache<Long, byte[]> entries;
    /** Null while every answer is stored. */
    private final RepeatedIds repeatedIds;
    private final ConcurrentHashMap<Long, Mono<UserLookup>> inFlight = new ConcurrentHashMap<>();
    private final Counter hits;
    private final Counter misses;
    private final Counter collapsed;
    private final Counter stale;
    private final Counter notStored;

    /**
     * Caffeine's maintenance (eviction, expiry) runs on the calling thread, amortised over the
     * calls: on its default executor every miss's write woke a thread of the common pool, a context
     * switch per request on a one-core replica.
     */
    public NameCache(UserLookups client, CacheProperties properties, MeterRegistry registry, Ticker ticker) {
        this(client, properties, registry, ticker, Runnable::run);
    }

    /** @param maintenance where Caffeine evicts and expires */
    NameCache(UserLookups client, CacheProperties properties, MeterRegistry registry, Ticker ticker,
            Executor maintenance) {
        this.client = client;
        this.enabled = properties.enabled();
        this.ttlNanos = properties.ttl().toNanos();
        this.negativeTtlNanos = properties.negativeTtl().toNanos();
        this.staleNanos = properties.staleIfError().toNanos();
        this.ticker = ticker;
        this.maintenance = maintenance;
        this.entries = newEntries(properties.maxWeight().toBytes());
        this.repeatedIds = properties.store() == CacheProperties.Store.REPEATED_IDS
                ? new RepeatedIds(properties.repeatedIdsRemembered())
                : null;
        this.hits = counter(registry, "hit");
        this.misses = counter(registry, "miss");
        this.collapsed = counter(registry, "collapsed");
        this.stale = counter(registry, "stale");
        this.notStored = Counter.builder("namegate.cache.answers.not.stored")
                .description("Answers of the internal service not stored: their id was not looked up lately")
                .register(registry);
    }

    /** A cache of this one's kind (its class, and so its compiled code, is Caffeine's choice by the options). */
    private Cache<Long, byte[]> newEntries(long maxWeightBytes) {
        return Caffeine.newBuilder()
                .maximumWeight(maxWeightBytes)
                .weigher((Long id, byte[] stored) -> weight(stored))
                .expireAfterWrite(Duration.ofNanos(staleNanos))
                .ticker(ticker)
                .executor(maintenance)
                .build();
    }

    /**
     * Runs a small cache of this one's kind through {@code operations} reads and writes, so that
     * the JIT compiles eviction, admission, the window's adaptation and the frequency sketch's
     * halving before readiness. This cache does all that for the first time only once it is full
     * and has seen some ten times its entries, minutes into a replica's life under load (about
     * 1.5 million misses at the default size), and C2 then compiled and recompiled some fifty of
     * Caffeine's methods on the busy core within seconds. Stretches of new ids alternate with
     * stretches of a few ids repeated, so the hit rate the window adapts to moves both ways.
     * Changes nothing this cache holds or counts.
     *
     * @return how many entries the drill's cache evicted (0 with the cache off)
     */
    public long drillEviction(int operations) {
        if (!enabled) {
            return 0;
        }
        Cache<Long, byte[]> drill = newEntries(DRILL_MAX_WEIGHT_BYTES);
        long written = 0;
        for (int i = 0; i < operations; i++) {
            boolean repeating = (i / DRILL_STRETCH) % 2 == 1;
            long id = repeating ? i % DRILL_REPEATED_IDS : i;
            if (drill.getIfPresent(id) == null) {
                drill.put(id, StoredName.found(DRILL_NAME, ticker.read()));
                written++;
            }
        }
        drill.cleanUp();
        return written - drill.estimatedSize();
    }

    /** The estimated bytes of one entry: the overhead and its {@link StoredName} array's bytes. */
    static int weight(byte[] stored) {
        return ENTRY_OVERHEAD_BYTES + stored.length;
    }

    /** The estimated bytes held now, after pending evictions (for tests of the bound). */
    long weightedSize() {
        entries.cleanUp();
        return entries.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    /** Entries held now, after pending evictions. */
    long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    private static Counter counter(MeterRegistry registry, String result) {
        return Counter.builder("namegate.cache.requests").description("Lookups by how the name cache answered them")
                .tag("result", result).register(registry);
    }

    /** The user's name from the cache or the internal service; fails with {@link UpstreamFailure}. */
    public Mono<CachedLookup> lookup(long userId, String requestId, String traceId) {
        return lookup(userId, requestId, traceId, 0);
    }

    /**
     * As {@link #lookup(long, String, String)} for a request that arrived {@code elapsedNanos} ago;
     * requests that join a lookup in flight share its deadline.
     */
    public Mono<CachedLookup> lookup(long userId, String requestId, String traceId, long elapsedNanos) {
        if (!enabled) {
            return client.lookup(userId, requestId, traceId, elapsedNanos).map(lookup -> new CachedLookup(lookup, null));
        }
        return Mono.defer(() -> {
            long now = ticker.read();
            byte[] entry = entries.getIfPresent(userId);
            if (entry != null) {
                long age = now - StoredName.storedAt(entry);
                long freshFor = (StoredName.userExists(entry) ? ttlNanos : negativeTtlNanos) - age;
                if (freshFor > 0) {
                    hits.increment();
                    return Mono.just(new CachedLookup(StoredName.lookup(entry, userId), HIT + TimeUnit.NANOSECONDS.toSeconds(freshFor)));
                }
            }
            // stays COLLAPSED unless this request starts the lookup
            String[] status = {COLLAPSED};
            Mono<UserLookup> shared = inFlight.computeIfAbsent(userId, id -> {
                // an id with an entry, however old, was looked up before: its fresh answer replaces it
                boolean store = repeatedIds == null || entry != null || repeatedIds.lookedUpBefore(id);
                status[0] = store ? MISS : MISS_NOT_STORED;
                return fetch(id, requestId, traceId, elapsedNanos, store);
            });
            String answeredStatus = status[0];
            if (answeredStatus == COLLAPSED) { // the sentinel itself, left as it was
                collapsed.increment();
            }
            Mono<CachedLookup> answered = shared.map(lookup -> new CachedLookup(lookup, answeredStatus));
            // without a name to stand in a failure passes as it is: no operator to pass it on
            return canStandIn(entry, now)
                    ? answered.onErrorResume(UpstreamFailure.class, failure -> standIn(userId, entry, failure))
                    : answered;
        });
    }

    /** One upstream lookup for an id, shared by every request for it until it ends. */
    private Mono<UserLookup> fetch(long userId, String requestId, String traceId, long elapsedNanos, boolean store) {
        misses.increment();
        if (!store) {
            notStored.increment();
        }
        Landing landing = new Landing(userId, store);
        // shared by whoever joined; the first requester leaving does not cancel the others'
        // answer, and the internal client's own deadline bounds the work
        landing.shared = client.lookup(userId, requestId, traceId, elapsedNanos).tap(() -> landing).cache();
        return landing.shared;
    }

    /**
     * Stores a lookup's answer and takes the lookup out of the in-flight map before anyone sees
     * the answer, so the next request finds it in the cache. One listener for answer, failure and
     * end: an operator for each costs its own subscriber on every miss.
     */
    private final class Landing extends DefaultSignalListener<UserLookup> {
        private final long userId;
        private final boolean store;
        private Mono<UserLookup> shared;
        private boolean left;

        Landing(long userId, boolean store) {
            this.userId = userId;
            this.store = store;
        }

        @Override
        public void doOnNext(UserLookup lookup) {
            if (store) {
                entries.put(userId, StoredName.of(lookup, ticker.read()));
            }
            leave();
        }

        @Override
        public void doOnError(Throwable error) {
            leave();
        }

        /** Also when no answer came at all: the id must not stay joined to a lookup that is over. */
        @Override
        public void doFinally(SignalType terminationType) {
            leave();
        }

        private void leave() {
            if (!left) {
                left = true;
                inFlight.remove(userId, shared);
            }
        }
    }

    /** Whether {@code entry}, read at {@code now}, may stand in for a failed lookup: a name, within stale-if-error. */
    private boolean canStandIn(byte[] entry, long now) {
        return entry != null && StoredName.userExists(entry) && now - StoredName.storedAt(entry) <= staleNanos;
    }

    private Mono<CachedLookup> standIn(long userId, byte[] entry, UpstreamFailure failure) {
        stale.increment();
        return Mono.just(new CachedLookup(StoredName.lookup(entry, userId), "namegate; fwd=stale; fwd-status=" + status(failure)));
    }

    private static int status(UpstreamFailure failure) {
        return switch (failure.kind()) {
            case FAILED -> 502;
            case UNAVAILABLE -> 503;
            case DEADLINE -> 504;
        };
    }

}
