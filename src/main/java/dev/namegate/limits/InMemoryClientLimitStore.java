package dev.namegate.limits;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.LongSupplier;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.Client;

import reactor.core.publisher.Mono;

/**
 * The limits in this replica's memory, three small parts: {@link MemoryTokenBuckets} (rate),
 * {@link MemoryIdQuotas} (distinct ids) and {@link MemoryAddressThrottle} (brute force). With N
 * replicas behind a load balancer a client gets up to N times its rate and its quota; the shared
 * store ({@code namegate.limits.store=redis}) closes that gap and falls back to this one while
 * Redis does not answer. Every call is decided at once, without IO. Time comes from one
 * nanosecond source, so tests run in virtual time.
 */
public final class InMemoryClientLimitStore implements ClientLimitStore {

    private static final Mono<Duration> NOT_THROTTLED = Mono.just(Duration.ZERO);

    private final MemoryTokenBuckets buckets;
    private final MemoryIdQuotas quotas;
    private final MemoryAddressThrottle throttle;

    /** @param nanoTime monotonic nanoseconds ({@code System::nanoTime}, or a virtual clock in tests) */
    public InMemoryClientLimitStore(LimitsProperties properties, AuditLog audit, LongSupplier nanoTime) {
        this.buckets = new MemoryTokenBuckets(properties.rate(), nanoTime);
        this.quotas = new MemoryIdQuotas(properties.quota(), audit, nanoTime);
        this.throttle = new MemoryAddressThrottle(properties.bruteForce(), audit, nanoTime);
    }

    @Override
    public Mono<RequestDecision> decide(Client client, long userId) {
        RateDecision rate = consume(client);
        QuotaDecision quota = rate.allowed() && userId >= 0 ? admit(client, userId) : QuotaDecision.NOT_COUNTED;
        return Mono.just(new RequestDecision(rate, quota));
    }

    @Override
    public Mono<Duration> countFailure(InetAddress address) {
        Duration throttled = throttled(address);
        if (!throttled.isZero()) {
            return Mono.just(throttled);
        }
        authenticationFailed(address);
        return NOT_THROTTLED;
    }

    /** Takes one request from {@code client}'s token bucket. */
    RateDecision consume(Client client) {
        return buckets.consume(client);
    }

    /**
     * Counts {@code userId} towards {@code client}'s quota of distinct ids unless it is already
     * counted; refuses a new id once the quota is full, or once the replica counts as many ids as
     * it may hold (a refusal that says nothing about the client).
     */
    QuotaDecision admit(Client client, long userId) {
        return quotas.admit(client, userId);
    }

    /** How long {@code address} is still refused (counting the refusal); zero when it may authenticate. */
    Duration throttled(InetAddress address) {
        return throttle.throttled(address);
    }

    /** Counts one failed authentication from {@code address}; enough of them start a cool-down. */
    void authenticationFailed(InetAddress address) {
        throttle.failed(address);
    }

    /** New ids refused because the replica was full, since the start. */
    long replicaFullRefusals() {
        return quotas.replicaFullRefusals();
    }

    /** Distinct ids counted now over all clients (expired ones go as each client's window is next used). */
    long trackedIds() {
        return quotas.trackedIds();
    }

    /** Cleans expired address records now (Caffeine otherwise does it during other calls). */
    void cleanUp() {
        throttle.cleanUp();
    }

    /** Number of source addresses tracked (for tests of the memory bound). */
    long trackedAddresses() {
        return throttle.trackedAddresses();
    }
}
