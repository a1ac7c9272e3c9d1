package dev.namegate.limits;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.Client;
import dev.namegate.auth.ClientId;
import dev.namegate.auth.ClientLimits;
import dev.namegate.limits.ClientLimitStore.QuotaDecision.Verdict;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

/**
 * The limits in this replica's memory. With N replicas behind a load balancer a client gets up to
 * N times its rate and its quota; a shared {@link ClientLimitStore} would close that gap.
 *
 * <ul>
 * <li>Rate: one lock-free Bucket4j bucket per client id, capacity {@code burst}, refilled greedily
 *     at {@code rate}/s; rebuilt (full) when a keys-file reload changes the client's attributes.
 * <li>Quota: one {@link DistinctIdWindow} per client id, kept across attribute changes; all of
 *     them together count at most {@code max-tracked-ids} ({@link TrackedIds}), beyond which new ids
 *     are refused as {@link QuotaDecision.Verdict#REPLICA_FULL} (counted, one WARN per episode)
 *     rather than taking more heap.
 * <li>Brute force: a Caffeine cache of failure counters per source address (IPv6 by /64, since one
 *     host usually owns a whole /64), bounded by {@code max-addresses} and expiring when neither
 *     counting nor cooling down.
 * </ul>
 * Per-client state lives as long as the process; it is bounded by the number of client ids the
 * keys file ever named. Time comes from one nanosecond source, so tests run in virtual time.
 */
public final class InMemoryClientLimitStore implements ClientLimitStore {

    private static final Logger log = LoggerFactory.getLogger(InMemoryClientLimitStore.class);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long SWEEP_INTERVAL_NANOS = NANOS_PER_SECOND;
    // Bucket4j's refill period is a Duration; a rate like 1e-9/s would overflow it.
    private static final long MAX_REFILL_NANOS = Duration.ofDays(365).toNanos();

    private final LimitsProperties properties;
    private final AuditLog audit;
    private final LongSupplier nanoTime;
    private final TimeMeter timeMeter;
    private final long idKey;
    private final ConcurrentHashMap<ClientId, ClientState> clients = new ConcurrentHashMap<>();
    private final TrackedIds tracked;
    private final AtomicBoolean replicaFull = new AtomicBoolean();
    private final AtomicLong replicaFullRefusals = new AtomicLong();
    private final AtomicLong lastSweep;
    private final Cache<InetAddress, AddressRecord> addresses;

    /** One client's bucket, built for {@code limits}, and its quota window (which survives rebuilds). */
    private record ClientState(ClientLimits limits, Bucket bucket, long capacity, long refillNanos,
            int quota, DistinctIdWindow ids) {
    }

    /** @param nanoTime monotonic nanoseconds ({@code System::nanoTime}, or a virtual clock in tests) */
    public InMemoryClientLimitStore(LimitsProperties properties, AuditLog audit, LongSupplier nanoTime) {
        this.properties = properties;
        this.audit = audit;
        this.nanoTime = nanoTime;
        this.timeMeter = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoTime.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        this.idKey = new SecureRandom().nextLong();
        this.tracked = new TrackedIds(properties.quota().maxTrackedIds());
        this.lastSweep = new AtomicLong(nanoTime.getAsLong() - SWEEP_INTERVAL_NANOS);
        this.addresses = Caffeine.newBuilder()
                .maximumSize(properties.bruteForce().maxAddresses())
                .ticker(nanoTime::getAsLong)
                .executor(Runnable::run)
                .expireAfter(new Expiry<InetAddress, AddressRecord>() {
                    @Override
                    public long expireAfterCreate(InetAddress key, AddressRecord value, long currentTime) {
                        return value.nanosToForget(currentTime);
                    }

                    @Override
                    public long expireAfterUpdate(InetAddress key, AddressRecord value, long currentTime,
                            long currentDuration) {
                        return value.nanosToForget(currentTime);
                    }

                    @Override
                    public long expireAfterRead(InetAddress key, AddressRecord value, long currentTime,
                            long currentDuration) {
                        return currentDuration;
                    }
                })
                .removalListener((InetAddress key, AddressRecord value, RemovalCause cause) -> {
                    if (key != null && value != null && cause.wasEvicted()) {
                        value.endIfThrottled(key, 0, true);
                    }
                })
                .build();
    }

    // ---- rate ---------------------------------------------------------------------------------

    @Override
    public RateDecision consume(Client client) {
        ClientState state = stateOf(client);
        ConsumptionProbe probe = state.bucket().tryConsumeAndReturnRemaining(1);
        long windowSeconds = Math.max(1, ceilSeconds(state.refillNanos()));
        long resetSeconds = ceilSeconds(probe.getNanosToWaitForReset());
        return new RateDecision(probe.isConsumed(), state.capacity(), windowSeconds, probe.getRemainingTokens(),
                resetSeconds, Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill())));
    }

    // ---- quota --------------------------------------------------------------------------------

    @Override
    public QuotaDecision admit(Client client, long userId) {
        ClientState state = stateOf(client);
        int quota = state.quota();
        int warnAt = (int) Math.max(1, Math.ceil(quota * properties.quota().warnAt()));
        DistinctIdWindow ids = state.ids();
        long hash = IdHash.of(userId, idKey);
        long now = nanoTime.getAsLong();
        long window = properties.quota().window().toNanos();
        DistinctIdWindow.Outcome outcome = ids.admit(hash, now, window, quota, warnAt);
        if (outcome == DistinctIdWindow.Outcome.REFUSED_REPLICA_FULL && sweptExpiredIds(now, window)) {
            outcome = ids.admit(hash, now, window, quota, warnAt);
        }
        return switch (outcome) {
            case ALREADY_COUNTED -> new QuotaDecision(Verdict.ALLOWED, ids.size(), quota, 0);
            case COUNTED -> {
                if (replicaFull.get() && tracked.count() < tracked.max() - tracked.max() / 10) {
                    replicaFull.set(false); // room again: the next time it fills up is a new episode
                }
                yield new QuotaDecision(Verdict.ALLOWED, ids.size(), quota, 0);
            }
            case REFUSED_REPLICA_FULL -> {
                replicaFullRefusals.incrementAndGet();
                if (replicaFull.compareAndSet(false, true)) {
                    log.warn("this replica counts {} distinct ids over all clients (namegate.limits.quota.max-tracked-ids):"
                            + " new ids are answered 503 overloaded until older ones leave the window", tracked.max());
                }
                // Room comes back as anybody's ids leave, which the next sweep finds: the oldest
                // id of the whole replica is not known cheaply, the sweep interval is.
                yield new QuotaDecision(Verdict.REPLICA_FULL, ids.size(), quota, ceilSeconds(SWEEP_INTERVAL_NANOS));
            }
            case COUNTED_WARN -> {
                int used = ids.size();
                audit.quotaWarning(client.id(), used, quota);
                yield new QuotaDecision(Verdict.ALLOWED, used, quota, 0);
            }
            case REFUSED, REFUSED_FIRST -> {
                long retryAfter = Math.max(1, ceilSeconds(ids.retryAfterNanos()));
                if (outcome == DistinctIdWindow.Outcome.REFUSED_FIRST) {
                    audit.quotaExhausted(client.id(), quota, retryAfter);
                }
                yield new QuotaDecision(Verdict.OVER_QUOTA, ids.size(), quota, retryAfter);
            }
        };
    }

    /**
     * A window slides only when its client calls, so a client gone quiet keeps ids that have left
     * its window, counted and in memory. When the replica is full, every window drops its expired
     * ids, at most once per {@link #SWEEP_INTERVAL_NANOS} (a full replica must not make each
     * refusal walk every client); whether that freed anything.
     */
    private boolean sweptExpiredIds(long now, long window) {
        long last = lastSweep.get();
        if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
            return false;
        }
        boolean freed = false;
        for (ClientState state : clients.values()) {
            freed |= state.ids().expireNow(now, window);
        }
        return freed;
    }

    private ClientState stateOf(Client client) {
        ClientState state = clients.get(client.id());
        if (state != null && state.limits().equals(client.limits())) {
            return state;
        }
        // First request, or a reload changed this client's attributes: new bucket, same id window.
        return clients.compute(client.id(), (id, old) -> old != null && old.limits().equals(client.limits())
                ? old
                : newState(client.limits(), old == null ? new DistinctIdWindow(tracked) : old.ids()));
    }

    private ClientState newState(ClientLimits limits, DistinctIdWindow ids) {
        double rate = limits.ratePerSecond().orElse(properties.rate().perSecond());
        long capacity = limits.burst().orElse(properties.rate().burst());
        // Refilling the whole bucket takes capacity / rate seconds; greedy refill spreads the
        // tokens evenly over that period, which is exactly "rate per second".
        long refillNanos = (long) Math.min(MAX_REFILL_NANOS, Math.max(1, capacity / rate * NANOS_PER_SECOND));
        Bucket bucket = Bucket.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, Duration.ofNanos(refillNanos)))
                .withCustomTimePrecision(timeMeter)
                .build();
        int quota = limits.idsPerDay().orElse(properties.quota().idsPerDay());
        return new ClientState(limits, bucket, capacity, refillNanos, quota, ids);
    }

    // ---- brute force --------------------------------------------------------------------------

    @Override
    public Duration throttled(InetAddress address) {
        AddressRecord record = addresses.getIfPresent(throttleKey(address));
        return record == null ? Duration.ZERO : record.throttledFor(address, nanoTime.getAsLong());
    }

    @Override
    public void authenticationFailed(InetAddress address) {
        long now = nanoTime.getAsLong();
        // compute(), not get-then-mutate, so Caffeine re-reads the record's expiry after the change.
        addresses.asMap().compute(throttleKey(address), (key, record) -> {
            AddressRecord r = record == null ? new AddressRecord(now) : record;
            r.failed(address, now);
            return r;
        });
    }

    /** New ids refused because the replica was full, since the start. */
    long replicaFullRefusals() {
        return replicaFullRefusals.get();
    }

    /** Distinct ids counted now over all clients (expired ones go as each client's window is next used). */
    long trackedIds() {
        return tracked.count();
    }

    /** Cleans expired address records now (Caffeine otherwise does it during other calls). */
    void cleanUp() {
        addresses.cleanUp();
    }

    /** Number of source addresses tracked (for tests of the memory bound). */
    long trackedAddresses() {
        addresses.cleanUp();
        return addresses.estimatedSize();
    }

    static InetAddress throttleKey(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(address.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return address;
    }

    /** Failures of one address in the current window, and its cool-down if one is running. */
    private final class AddressRecord {
        private long windowStart;
        private int failures;
        private long throttledUntil;
        private boolean throttled;
        private long refused;

        AddressRecord(long now) {
            this.windowStart = now;
        }

        synchronized void failed(InetAddress address, long now) {
            if (throttled) {
                return;
            }
            if (now - windowStart >= properties.bruteForce().window().toNanos()) {
                windowStart = now;
                failures = 0;
            }
            failures++;
            if (failures >= properties.bruteForce().maxFailures()) {
                throttled = true;
                refused = 0;
                throttledUntil = now + properties.bruteForce().coolDown().toNanos();
                audit.throttleStarted(throttleKey(address), failures, properties.bruteForce().coolDown());
            }
        }

        synchronized Duration throttledFor(InetAddress address, long now) {
            if (!throttled) {
                return Duration.ZERO;
            }
            if (now - throttledUntil < 0) {
                refused++;
                return Duration.ofNanos(throttledUntil - now);
            }
            endIfThrottled(throttleKey(address), now, false);
            return Duration.ZERO;
        }

        /** Ends a cool-down that is over (or the record is evicted): one throttle-end event. */
        synchronized void endIfThrottled(InetAddress key, long now, boolean evicted) {
            if (throttled && (evicted || now - throttledUntil >= 0)) {
                throttled = false;
                failures = 0;
                windowStart = evicted ? windowStart : now;
                audit.throttleEnded(key, refused);
            }
        }

        synchronized long nanosToForget(long now) {
            long until = throttled ? throttledUntil : windowStart + properties.bruteForce().window().toNanos();
            return Math.max(0, until - now);
        }
    }

    private static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
    }
}
