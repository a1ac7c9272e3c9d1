package dev.namegate.limits.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import reactor.core.publisher.Flux;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.Client;
import dev.namegate.auth.ClientId;
import dev.namegate.auth.ClientLimits;
import dev.namegate.limits.ClientLimitStore.QuotaDecision.Verdict;
import dev.namegate.limits.ClientLimitStore.RequestDecision;
import dev.namegate.limits.LimitsProperties;
import dev.namegate.testing.LogCapture;
import dev.namegate.testing.RedisServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Redis store against a real {@code redis-server}: each store has its own connection, as each
 * replica would, so "three stores" are three replicas sharing one Redis.
 */
class RedisClientLimitStoreTest {

    @RegisterExtension
    static final RedisServer redis = new RedisServer();

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration CALL = Duration.ofSeconds(5);
    private static final InetAddress ATTACKER = address("198.51.100.9");

    private final List<RedisLink> links = new ArrayList<>();
    private final LogCapture audit = LogCapture.of(AuditLog.LOGGER_NAME);
    private final LimitsProperties limits = new LimitsProperties(
            new LimitsProperties.Rate(50, 100),
            new LimitsProperties.Quota(10, Duration.ofHours(24), 0.8, 25),
            new LimitsProperties.BruteForce(3, Duration.ofMillis(1500), Duration.ofMillis(1500), 1_000),
            List.of(), true, LimitsProperties.Store.REDIS);

    @BeforeEach
    void emptyRedis() {
        redis.flushAll();
    }

    @AfterEach
    void close() {
        links.forEach(RedisLink::close);
        audit.close();
    }

    private RedisClientLimitStore replica() {
        return replica(null);
    }

    private RedisClientLimitStore replica(Path idKeyFile) {
        RedisLink link = new RedisLink(properties(redis.url(), idKeyFile));
        links.add(link);
        await().atMost(Duration.ofSeconds(5)).until(link::connected);
        return new RedisClientLimitStore(link, limits, "test:", IdKeying.from(idKeyFile),
                new AuditLog(Clock.systemUTC()));
    }

    static RedisLimitsProperties properties(String url, Path idKeyFile) {
        return new RedisLimitsProperties(URI.create(url), null, idKeyFile, Duration.ofMillis(50),
                Duration.ofMillis(200), Duration.ofSeconds(1), "test:");
    }

    private static Client client(String id, ClientLimits limits) {
        return new Client(new ClientId(id), limits);
    }

    private static ClientLimits quota(int ids) {
        return new ClientLimits(OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.of(ids));
    }

    private List<String> auditEvents() {
        return audit.messages().stream().map(JSON::readTree).map(l -> l.get("audit").asString()).toList();
    }

    @Test
    void twoReplicasCountOneQuotaOfDistinctIdsAndRereadsAreFree() {
        List<RedisClientLimitStore> replicas = List.of(replica(), replica());
        Client scraper = client("scraper", quota(3));
        List<Verdict> verdicts = new ArrayList<>();
        for (long id = 1; id <= 6; id++) {
            verdicts.add(replicas.get((int) id % 2).decide(scraper, id).block(CALL).quota().verdict());
        }
        assertThat(verdicts).containsExactly(Verdict.ALLOWED, Verdict.ALLOWED, Verdict.ALLOWED,
                Verdict.OVER_QUOTA, Verdict.OVER_QUOTA, Verdict.OVER_QUOTA);
        RequestDecision reread = replicas.get(1).decide(scraper, 2).block(CALL);
        assertThat(reread.quota().verdict()).as("id 2 was counted by the other replica").isEqualTo(Verdict.ALLOWED);
        assertThat(reread.quota().used()).isEqualTo(3);
        RequestDecision refused = replicas.get(0).decide(scraper, 7).block(CALL);
        assertThat(refused.quota().retryAfterSeconds()).isBetween(Duration.ofHours(24).toSeconds() - 5,
                Duration.ofHours(24).toSeconds());
        assertThat(replicas.get(0).decide(scraper, -1).block(CALL).quota()).as("no id, nothing counted")
                .isEqualTo(dev.namegate.limits.ClientLimitStore.QuotaDecision.NOT_COUNTED);
        assertThat(auditEvents()).as("warned at 80 % (3 of 3) and exhausted, once each across both replicas")
                .containsExactly("quota-warning", "quota-exhausted");
    }

    @Test
    void threeReplicasDrawFromOneTokenBucket() {
        List<RedisClientLimitStore> replicas = List.of(replica(), replica(), replica());
        // 5 at once, then one per 1000 s: nothing refills during the test
        Client slow = client("slow", new ClientLimits(OptionalDouble.of(0.001), OptionalInt.of(5), OptionalInt.empty()));
        List<Boolean> allowed = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            allowed.add(replicas.get(i % 3).decide(slow, -1).block(CALL).rate().allowed());
        }
        assertThat(allowed).containsExactly(true, true, true, true, true, false, false, false, false);
        var refused = replicas.get(0).decide(slow, -1).block(CALL).rate();
        assertThat(refused.limit()).isEqualTo(5);
        assertThat(refused.windowSeconds()).isEqualTo(5_000);
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterSeconds()).isBetween(990L, 1_000L);
        assertThat(refused.resetSeconds()).isBetween(4_990L, 5_000L);
        assertThat(replicas.get(0).decide(slow, 1).block(CALL).quota().verdict())
                .as("a request refused by the rate counts no id").isEqualTo(Verdict.NOT_COUNTED);
    }

    @Test
    void aReloadThatChangesTheRateGivesTheClientAFullBucketOnEveryReplica() {
        List<RedisClientLimitStore> replicas = List.of(replica(), replica());
        ClientLimits one = new ClientLimits(OptionalDouble.of(0.001), OptionalInt.of(1), OptionalInt.empty());
        ClientLimits two = new ClientLimits(OptionalDouble.of(0.001), OptionalInt.of(2), OptionalInt.empty());
        assertThat(replicas.get(0).decide(client("c", one), -1).block(CALL).rate().allowed()).isTrue();
        assertThat(replicas.get(1).decide(client("c", one), -1).block(CALL).rate().allowed()).isFalse();
        assertThat(replicas.get(1).decide(client("c", two), -1).block(CALL).rate().remaining()).isEqualTo(1);
        assertThat(replicas.get(0).decide(client("c", two), -1).block(CALL).rate().allowed()).isTrue();
        assertThat(replicas.get(1).decide(client("c", two), -1).block(CALL).rate().allowed()).isFalse();
    }

    @Test
    void parallelRequestsAtTheQuotaEdgeNeverCountMoreDistinctIdsThanTheQuota() {
        List<RedisClientLimitStore> replicas = List.of(replica(), replica(), replica());
        // a bucket that never refuses here: only the quota decides
        Client scraper = client("edge", new ClientLimits(OptionalDouble.of(1_000), OptionalInt.of(1_000),
                OptionalInt.of(50)));
        List<Verdict> verdicts = Flux.range(0, 400)
                .flatMap(i -> replicas.get(i % 3).decide(scraper, 10_000 + i), 400)
                .map(d -> d.quota().verdict())
                .collectList().block(Duration.ofSeconds(20));
        assertThat(verdicts).hasSize(400);
        assertThat(verdicts).filteredOn(v -> v == Verdict.ALLOWED).hasSize(50);
        assertThat(verdicts).filteredOn(v -> v == Verdict.OVER_QUOTA).hasSize(350);
        assertThat(redis.command("ZCARD test:{edge}:ids")).isEqualTo(":50");
        assertThat(auditEvents()).as("once each; replicas answer on their own threads, so in any order")
                .containsExactlyInAnyOrder("quota-warning", "quota-exhausted");
    }

    @Test
    void idsAreStoredKeyedWithTheSharedSecretNeverInClear() throws IOException {
        Path key = Files.createTempFile("id-key", "");
        Path otherKey = Files.createTempFile("id-key", "");
        try {
            Files.writeString(key, "a shared secret of at least thirty-two characters\n");
            Files.writeString(otherKey, "another secret, also thirty-two characters or more");
            RedisClientLimitStore one = replica(key);
            RedisClientLimitStore two = replica(key);
            RedisClientLimitStore stranger = replica(otherKey);
            Client reader = client("reader", quota(10));
            long userId = 4_242;
            one.decide(reader, userId).block(CALL);
            assertThat(two.decide(reader, userId).block(CALL).quota().used()).as("same secret: the same member")
                    .isEqualTo(1);
            assertThat(stranger.decide(reader, userId).block(CALL).quota().used())
                    .as("another secret: another member, so the secret is what keys the ids").isEqualTo(2);

            List<byte[]> members = members("test:{reader}:ids");
            assertThat(members).hasSize(2).allSatisfy(m -> {
                assertThat(m).hasSize(IdKeying.BYTES);
                assertThat(new String(m, StandardCharsets.ISO_8859_1)).doesNotContain("4242");
                assertThat(m).isNotEqualTo(java.nio.ByteBuffer.allocate(8).putLong(userId).array());
            });
        } finally {
            Files.delete(key);
            Files.delete(otherKey);
        }
    }

    @Test
    void theThrottleHoldsAcrossReplicasAndItsStartAndEndAreAuditedOnce() {
        List<RedisClientLimitStore> replicas = List.of(replica(), replica(), replica());
        List<Duration> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(replicas.get(i % 3).countFailure(ATTACKER).block(CALL));
        }
        assertThat(answers.subList(0, 3)).as("three failures allowed, across three replicas")
                .containsOnly(Duration.ZERO);
        assertThat(answers.subList(3, 6)).allSatisfy(d -> assertThat(d).isPositive()
                .isLessThanOrEqualTo(Duration.ofMillis(1500)));
        assertThat(replicas.get(0).countFailure(address("198.51.100.10")).block(CALL))
                .as("another address is not throttled").isZero();

        // the cool-down ends on Redis' clock; whichever replica sweeps first reports it, once
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            int ended = 0;
            for (RedisClientLimitStore replica : replicas) {
                ended += replica.sweepThrottleEnds().block(CALL);
            }
            return ended > 0;
        });
        assertThat(replicas.get(1).countFailure(ATTACKER).block(CALL)).as("counted afresh").isZero();
        List<JsonNode> lines = audit.messages().stream().map(JSON::readTree).toList();
        assertThat(lines).extracting(l -> l.get("audit").asString()).containsExactly("throttle-start", "throttle-end");
        assertThat(lines.get(1).get("refused").asLong()).isEqualTo(3);
    }

    @Test
    void ipv6AddressesAreThrottledByTheirSlash64() {
        RedisClientLimitStore store = replica();
        for (int i = 1; i <= 3; i++) {
            assertThat(store.countFailure(address("2001:db8:1:2::" + i)).block(CALL)).isZero();
        }
        assertThat(store.countFailure(address("2001:db8:1:2:ffff::9")).block(CALL)).isPositive();
        assertThat(store.countFailure(address("2001:db8:1:3::1")).block(CALL)).isZero();
    }

    private static List<byte[]> members(String key) {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            return c.sync().zrange(key.getBytes(StandardCharsets.UTF_8), 0, -1);
        } finally {
            client.shutdown();
        }
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
