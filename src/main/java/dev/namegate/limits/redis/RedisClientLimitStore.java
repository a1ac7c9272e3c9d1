package dev.namegate.limits.redis;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.Client;
import dev.namegate.auth.ClientId;
import dev.namegate.limits.ClientLimitStore;
import dev.namegate.limits.LimitsProperties;
import dev.namegate.limits.ThrottleKey;
import dev.namegate.limits.ClientLimitStore.QuotaDecision.Verdict;

import reactor.core.publisher.Mono;

/**
 * The limits in Redis, shared by every replica that uses the same Redis and key prefix: one
 * script call per request ({@code request.lua}: the token bucket and the distinct-id window
 * together) and one per failed authentication ({@code auth-failure.lua}). The scripts run
 * atomically on Redis' clock, so limits are exact across replicas, and each audit event is
 * written by the one replica whose call crossed the threshold. Ids are stored keyed
 * ({@link IdKeying}). Keys per client share a hash tag, and the throttle's keys another, so every
 * script touches one slot.
 *
 * <p>Unlike the memory store there is no replica-wide bound on counted ids: Redis' own
 * {@code maxmemory} is that bound (README, "Limits"), and a Redis that refuses writes is treated
 * as one that does not answer.
 */
final class RedisClientLimitStore implements ClientLimitStore {

    private static final byte[] NO_ID = new byte[0];
    // Redis' bucket period is microseconds; keep it within what Lua's doubles hold exactly.
    private static final long MAX_REFILL_MICROS = Duration.ofDays(365).toNanos() / 1000;
    private static final int ENDS_PER_SWEEP = 100;

    private final RedisLink link;
    private final LimitsProperties limits;
    private final IdKeying ids;
    private final AuditLog audit;
    private final byte[] windowMicros;
    private final byte[] maxFailures;
    private final byte[] failureWindowMicros;
    private final byte[] coolDownMicros;
    private final String addressPrefix;
    private final byte[][] throttleEndsKeys;
    private final ConcurrentHashMap<ClientId, byte[][]> clientKeys = new ConcurrentHashMap<>();
    private final String keyPrefix;

    RedisClientLimitStore(RedisLink link, LimitsProperties limits, String keyPrefix, IdKeying ids, AuditLog audit) {
        this.link = link;
        this.limits = limits;
        this.ids = ids;
        this.audit = audit;
        this.keyPrefix = keyPrefix;
        this.windowMicros = ascii(micros(limits.quota().window()));
        this.maxFailures = ascii(limits.bruteForce().maxFailures());
        this.failureWindowMicros = ascii(micros(limits.bruteForce().window()));
        this.coolDownMicros = ascii(micros(limits.bruteForce().coolDown()));
        this.addressPrefix = keyPrefix + "{throttle}:address:";
        this.throttleEndsKeys = new byte[][] {bytes(keyPrefix + "{throttle}:ends")};
    }

    @Override
    public Mono<RequestDecision> decide(Client client, long userId) {
        double rate = client.limits().ratePerSecond().orElse(limits.rate().perSecond());
        long capacity = client.limits().burst().orElse(limits.rate().burst());
        long refillMicros = (long) Math.min(MAX_REFILL_MICROS, Math.max(1, Math.ceil(capacity / rate * 1e6)));
        int quota = client.limits().idsPerDay().orElse(limits.quota().idsPerDay());
        int warnAt = (int) Math.max(1, Math.ceil(quota * limits.quota().warnAt()));
        byte[] member = userId < 0 ? NO_ID : ids.of(client.id(), userId);
        byte[][] keys = clientKeys.computeIfAbsent(client.id(), this::keysOf);
        long windowSeconds = Math.max(1, (refillMicros + 999_999) / 1_000_000);
        return link.run(LuaScript.REQUEST, keys, ascii(capacity), ascii(refillMicros), member, windowMicros,
                ascii(quota), ascii(warnAt)).map(r -> {
                    RateDecision rateDecision = new RateDecision(number(r, 0) == 1, capacity, windowSeconds,
                            number(r, 1), number(r, 2), number(r, 3));
                    return new RequestDecision(rateDecision, quotaDecision(client, r, quota));
                });
    }

    private QuotaDecision quotaDecision(Client client, List<Object> r, int quota) {
        int verdict = (int) number(r, 4);
        if (verdict == 0) {
            return QuotaDecision.NOT_COUNTED;
        }
        int used = (int) number(r, 5);
        long retryAfter = number(r, 6);
        long event = number(r, 7);
        if (event == 1) {
            audit.quotaWarning(client.id(), used, quota);
        } else if (event == 2) {
            audit.quotaExhausted(client.id(), quota, retryAfter);
        }
        return verdict == 1 ? new QuotaDecision(Verdict.ALLOWED, used, quota, 0)
                : new QuotaDecision(Verdict.OVER_QUOTA, used, quota, retryAfter);
    }

    @Override
    public Mono<Duration> countFailure(InetAddress address) {
        InetAddress unit = ThrottleKey.of(address);
        byte[] member = unit.getAddress();
        byte[][] keys = {concat(bytes(addressPrefix), member), throttleEndsKeys[0]};
        return link.run(LuaScript.AUTH_FAILURE, keys, member, maxFailures, failureWindowMicros, coolDownMicros)
                .map(r -> {
                    if (number(r, 3) == 1) {
                        audit.throttleEnded(unit, number(r, 4));
                    }
                    if (number(r, 1) == 1) {
                        audit.throttleStarted(unit, (int) number(r, 2), limits.bruteForce().coolDown());
                    }
                    return Duration.ofNanos(number(r, 0) * 1000);
                });
    }

    /**
     * Ends the cool-downs that are over and reports each end once, whichever replica sweeps
     * first (a cool-down nobody fails against again would otherwise never be reported ended).
     * Emits how many ended.
     */
    Mono<Integer> sweepThrottleEnds() {
        return link.run(LuaScript.THROTTLE_ENDS, throttleEndsKeys, bytes(addressPrefix), ascii(ENDS_PER_SWEEP))
                .map(r -> {
                    for (int i = 0; i + 1 < r.size(); i += 2) {
                        audit.throttleEnded(address((byte[]) r.get(i)), number(r, i + 1));
                    }
                    return r.size() / 2;
                });
    }

    private byte[][] keysOf(ClientId client) {
        // {client} is a hash tag: a client's keys live in one slot of a Redis Cluster
        String base = keyPrefix + "{" + client.value() + "}:";
        return new byte[][] {bytes(base + "rate"), bytes(base + "ids"), bytes(base + "quota")};
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an address in the throttle's set", e);
        }
    }

    private static long number(List<Object> reply, int index) {
        return (Long) reply.get(index);
    }

    private static long micros(Duration duration) {
        return duration.toNanos() / 1000;
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = new byte[a.length + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
