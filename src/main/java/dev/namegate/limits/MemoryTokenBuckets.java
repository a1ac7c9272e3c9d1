package dev.namegate.limits;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.namegate.auth.Client;
import dev.namegate.auth.ClientId;
import dev.namegate.auth.ClientLimits;
import dev.namegate.limits.ClientLimitStore.RateDecision;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

/**
 * The rate part of {@link InMemoryClientLimitStore}: one lock-free Bucket4j bucket per client id,
 * capacity {@code burst}, refilled greedily at {@code rate}/s; rebuilt (full) when a keys-file
 * reload changes the client's attributes. Lives as long as the process, bounded by the client ids
 * the keys file ever named.
 */
final class MemoryTokenBuckets {

    // Bucket4j's refill period is a Duration; a rate like 1e-9/s would overflow it.
    private static final long MAX_REFILL_NANOS = Duration.ofDays(365).toNanos();

    private final LimitsProperties.Rate defaults;
    private final TimeMeter timeMeter;
    private final ConcurrentHashMap<ClientId, ClientBucket> buckets = new ConcurrentHashMap<>();

    /** One client's bucket, built for {@code limits}. */
    private record ClientBucket(ClientLimits limits, Bucket bucket, long capacity, long refillNanos) {
    }

    /** @param nanoTime monotonic nanoseconds ({@code System::nanoTime}, or a virtual clock in tests) */
    MemoryTokenBuckets(LimitsProperties.Rate defaults, LongSupplier nanoTime) {
        this.defaults = defaults;
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
    }

    RateDecision consume(Client client) {
        ClientBucket state = bucketOf(client);
        ConsumptionProbe probe = state.bucket().tryConsumeAndReturnRemaining(1);
        long windowSeconds = Math.max(1, Seconds.ceil(state.refillNanos()));
        long resetSeconds = Seconds.ceil(probe.getNanosToWaitForReset());
        return new RateDecision(probe.isConsumed(), state.capacity(), windowSeconds, probe.getRemainingTokens(),
                resetSeconds, Math.max(1, Seconds.ceil(probe.getNanosToWaitForRefill())));
    }

    private ClientBucket bucketOf(Client client) {
        ClientBucket state = buckets.get(client.id());
        if (state != null && state.limits().equals(client.limits())) {
            return state;
        }
        // First request, or a reload changed this client's attributes: a new, full bucket.
        return buckets.compute(client.id(), (id, old) -> old != null && old.limits().equals(client.limits())
                ? old
                : newBucket(client.limits()));
    }

    private ClientBucket newBucket(ClientLimits limits) {
        double rate = limits.ratePerSecond().orElse(defaults.perSecond());
        long capacity = limits.burst().orElse(defaults.burst());
        // Refilling the whole bucket takes capacity / rate seconds; greedy refill spreads the
        // tokens evenly over that period, which is exactly "rate per second".
        long refillNanos = (long) Math.min(MAX_REFILL_NANOS, Math.max(1, capacity / rate * Seconds.NANOS));
        Bucket bucket = Bucket.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, Duration.ofNanos(refillNanos)))
                .withCustomTimePrecision(timeMeter)
                .build();
        return new ClientBucket(limits, bucket, capacity, refillNanos);
    }
}
