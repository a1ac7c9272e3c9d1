package dev.namegate.limits;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;

import dev.namegate.audit.AuditLog;

/**
 * The brute-force part of {@link InMemoryClientLimitStore}: a Caffeine cache of failure counters
 * per source address (IPv6 by /64, {@link #throttleKey}), bounded by {@code max-addresses} and
 * expiring when neither counting nor cooling down. Writes the throttle's audit events.
 */
final class MemoryAddressThrottle {

    private final LimitsProperties.BruteForce settings;
    private final AuditLog audit;
    private final LongSupplier nanoTime;
    private final Cache<InetAddress, AddressRecord> addresses;

    /** @param nanoTime monotonic nanoseconds ({@code System::nanoTime}, or a virtual clock in tests) */
    MemoryAddressThrottle(LimitsProperties.BruteForce settings, AuditLog audit, LongSupplier nanoTime) {
        this.settings = settings;
        this.audit = audit;
        this.nanoTime = nanoTime;
        this.addresses = Caffeine.newBuilder()
                .maximumSize(settings.maxAddresses())
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

    Duration throttled(InetAddress address) {
        AddressRecord record = addresses.getIfPresent(ThrottleKey.of(address));
        return record == null ? Duration.ZERO : record.throttledFor(address, nanoTime.getAsLong());
    }

    void failed(InetAddress address) {
        long now = nanoTime.getAsLong();
        // compute(), not get-then-mutate, so Caffeine re-reads the record's expiry after the change.
        addresses.asMap().compute(ThrottleKey.of(address), (key, record) -> {
            AddressRecord r = record == null ? new AddressRecord(now) : record;
            r.failed(address, now);
            return r;
        });
    }

    /** Cleans expired address records now (Caffeine otherwise does it during other calls). */
    void cleanUp() {
        addresses.cleanUp();
    }

    long trackedAddresses() {
        addresses.cleanUp();
        return addresses.estimatedSize();
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
            if (now - windowStart >= settings.window().toNanos()) {
                windowStart = now;
                failures = 0;
            }
            failures++;
            if (failures >= settings.maxFailures()) {
                throttled = true;
                refused = 0;
                throttledUntil = now + settings.coolDown().toNanos();
                audit.throttleStarted(ThrottleKey.of(address), failures, settings.coolDown());
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
            endIfThrottled(ThrottleKey.of(address), now, false);
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
            long until = throttled ? throttledUntil : windowStart + settings.window().toNanos();
            return Math.max(0, until - now);
        }
    }
}
