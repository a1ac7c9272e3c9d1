package dev.namegate.limits.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.scheduler.Schedulers;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.Client;
import dev.namegate.auth.ClientId;
import dev.namegate.auth.ClientLimits;
import dev.namegate.limits.ClientLimitStore.QuotaDecision;
import dev.namegate.limits.ClientLimitStore.QuotaDecision.Verdict;
import dev.namegate.limits.InMemoryClientLimitStore;
import dev.namegate.limits.LimitsProperties;
import dev.namegate.testing.LogCapture;
import dev.namegate.testing.RedisServer;

/** Redis stopped, restarted and frozen under the shared store: memory answers meanwhile. */
class SharedLimitStoreTest {

    @RegisterExtension
    static final RedisServer redis = new RedisServer();

    private static final Duration CALL = Duration.ofSeconds(5);
    private static final Client READER = new Client(new ClientId("reader"),
            new ClientLimits(OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.of(2)));

    private final LimitsProperties limits = new LimitsProperties(
            new LimitsProperties.Rate(50, 100),
            new LimitsProperties.Quota(10, Duration.ofHours(24), 0.8, 100),
            new LimitsProperties.BruteForce(10, Duration.ofMinutes(1), Duration.ofMinutes(5), 1_000),
            List.of(), true, LimitsProperties.Store.REDIS);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LogCapture log = LogCapture.of(SharedLimitStore.class.getName());
    private SharedLimitStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.destroy();
        }
        log.close();
        redis.start();
    }

    private SharedLimitStore store(Duration retryInterval) {
        redis.flushAll();
        RedisLimitsProperties properties = new RedisLimitsProperties(URI.create(redis.url()), null, null,
                Duration.ofMillis(50), retryInterval, Duration.ofSeconds(1), "test:");
        RedisLink link = new RedisLink(properties);
        await().atMost(CALL).until(link::connected);
        AuditLog audit = new AuditLog(Clock.systemUTC());
        RedisClientLimitStore redisStore = new RedisClientLimitStore(link, limits, "test:", IdKeying.from(null), audit);
        // a first call loads the classes of the script path, which may take longer than the timeout
        redisStore.decide(new Client(new ClientId("warm-up"), ClientLimits.DEFAULTS), 1).block(CALL);
        store = new SharedLimitStore(redisStore,
                new InMemoryClientLimitStore(limits, audit, System::nanoTime), link, properties,
                Schedulers.parallel(), registry);
        return store;
    }

    private QuotaDecision read(long id) {
        return store.decide(READER, id).block(CALL).quota();
    }

    private double shared() {
        return registry.get("namegate.limits.store.shared").gauge().value();
    }

    private double localDecisions() {
        return registry.get("namegate.limits.store.local.decisions").counter().count();
    }

    @Test
    void aStoppedRedisIsAnsweredFromMemoryWithOneLogLineAndSharedAgainOnceRestarted() {
        store(Duration.ofMillis(200));
        assertThat(read(1)).isEqualTo(new QuotaDecision(Verdict.ALLOWED, 1, 2, 0));
        assertThat(shared()).isEqualTo(1);

        redis.stop();
        assertThat(read(2)).as("memory counts on its own from here").isEqualTo(new QuotaDecision(Verdict.ALLOWED, 1, 2, 0));
        assertThat(read(3).used()).isEqualTo(2);
        assertThat(read(4).verdict()).as("the replica's own quota holds meanwhile").isEqualTo(Verdict.OVER_QUOTA);
        assertThat(shared()).isZero();
        assertThat(localDecisions()).isEqualTo(3);

        redis.start(); // empty: no persistence in the test
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            read(10);
            return store.isShared();
        });
        assertThat(read(11).used()).as("counted in the restarted Redis again").isEqualTo(2);
        assertThat(shared()).isEqualTo(1);

        List<ILoggingEvent> lines = log.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
        assertThat(lines).as("one line per change of state").hasSize(2);
        assertThat(lines.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(lines.get(0).getFormattedMessage()).startsWith("limits fall back to this replica's memory: Redis at 127.0.0.1:")
                .contains("namegate.limits.redis.retry-interval");
        assertThat(lines.get(1).getFormattedMessage()).startsWith("limits shared again: Redis at 127.0.0.1:");
    }

    @Test
    void aFrozenRedisCostsOneTimeoutThenMemoryAnswersWithoutAskingItUntilTheRetryInterval() {
        store(Duration.ofSeconds(30));
        read(1);
        long scriptsBefore = scriptCalls();

        redis.pause();
        try {
            for (long id = 2; id <= 11; id++) {
                assertThat(read(id).verdict()).isIn(Verdict.ALLOWED, Verdict.OVER_QUOTA);
            }
            assertThat(shared()).isZero();
            assertThat(localDecisions()).isEqualTo(10);
        } finally {
            redis.resume();
        }
        assertThat(scriptCalls() - scriptsBefore).as("only the call that timed out reached Redis").isEqualTo(1);
        assertThat(read(12).verdict()).as("still in memory until the retry interval").isEqualTo(Verdict.OVER_QUOTA);
        assertThat(store.isShared()).isFalse();
    }

    /** EVALSHA and EVAL calls Redis has run since it started. */
    private static long scriptCalls() {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            String stats = c.sync().info("commandstats");
            long calls = 0;
            Matcher m = Pattern.compile("cmdstat_eval(?:sha)?:calls=(\\d+)").matcher(stats);
            while (m.find()) {
                calls += Long.parseLong(m.group(1));
            }
            return calls;
        } finally {
            client.shutdown();
        }
    }
}
