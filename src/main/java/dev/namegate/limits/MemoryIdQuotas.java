package dev.namegate.limits;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.Client;
import dev.namegate.auth.ClientId;
import dev.namegate.limits.ClientLimitStore.QuotaDecision;
import dev.namegate.limits.ClientLimitStore.QuotaDecision.Verdict;

/**
 * The quota part of {@link InMemoryClientLimitStore}: one {@link DistinctIdWindow} per client id,
 * kept across attribute changes; all of them together count at most {@code max-tracked-ids}
 * ({@link TrackedIds}), beyond which new ids are refused as {@link Verdict#REPLICA_FULL}
 * (counted, one WARN per episode) rather than taking more heap. Writes the quota's audit events.
 */
final class MemoryIdQuotas {

    // the store's logger: what operators see and filter on names the store, not its parts
    private static final Logger log = LoggerFactory.getLogger(InMemoryClientLimitStore.class);
    private static final long SWEEP_INTERVAL_NANOS = Seconds.NANOS;

    private final LimitsProperties.Quota defaults;
    private final AuditLog audit;
    private final LongSupplier nanoTime;
    private final long idKey = new SecureRandom().nextLong();
    private final ConcurrentHashMap<ClientId, DistinctIdWindow> windows = new ConcurrentHashMap<>();
    private final TrackedIds tracked;
    private final AtomicBoolean replicaFull = new AtomicBoolean();
    private final AtomicLong replicaFullRefusals = new AtomicLong();
    private final AtomicLong lastSweep;

    /** @param nanoTime monotonic nanoseconds ({@code System::nanoTime}, or a virtual clock in tests) */
    MemoryIdQuotas(LimitsProperties.Quota defaults, AuditLog audit, LongSupplier nanoTime) {
        this.defaults = defaults;
        this.audit = audit;
        this.nanoTime = nanoTime;
        this.tracked = new TrackedIds(defaults.maxTrackedIds());
        this.lastSweep = new AtomicLong(nanoTime.getAsLong() - SWEEP_INTERVAL_NANOS);
    }

    QuotaDecision admit(Client client, long userId) {
        DistinctIdWindow ids = windows.computeIfAbsent(client.id(), id -> new DistinctIdWindow(tracked));
        int quota = client.limits().idsPerDay().orElse(defaults.idsPerDay());
        int warnAt = (int) Math.max(1, Math.ceil(quota * defaults.warnAt()));
        long hash = IdHash.of(userId, idKey);
        long now = nanoTime.getAsLong();
        long window = defaults.window().toNanos();
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
                yield new QuotaDecision(Verdict.REPLICA_FULL, ids.size(), quota, Seconds.ceil(SWEEP_INTERVAL_NANOS));
            }
            case COUNTED_WARN -> {
                int used = ids.size();
                audit.quotaWarning(client.id(), used, quota);
                yield new QuotaDecision(Verdict.ALLOWED, used, quota, 0);
            }
            case REFUSED, REFUSED_FIRST -> {
                long retryAfter = Math.max(1, Seconds.ceil(ids.retryAfterNanos()));
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
        for (DistinctIdWindow ids : windows.values()) {
            freed |= ids.expireNow(now, window);
        }
        return freed;
    }

    long replicaFullRefusals() {
        return replicaFullRefusals.get();
    }

    long trackedIds() {
        return tracked.count();
    }
}
