package dev.namegate.limits.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.micrometer.core.instrument.MeterRegistry;

import dev.namegate.NamegateApplication;
import dev.namegate.audit.AuditLog;
import dev.namegate.auth.KeyMint;
import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.RedisServer;
import dev.namegate.testing.TestKeys;

import tools.jackson.databind.json.JsonMapper;

/**
 * Three service instances (Spring contexts with their own servers) sharing one real Redis, as
 * replicas behind a load balancer: requests go round robin, and what they serve together stays
 * within one client's limits. The loopback peer is a trusted proxy, so {@code X-Forwarded-For}
 * plays the client's address.
 */
class SharedLimitsAcrossInstancesTest {

    @RegisterExtension
    static final RedisServer redis = new RedisServer();

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final MintedKey GOOD = KeyMint.mint("good", RANDOM);
    private static final MintedKey SCRAPER = KeyMint.mint("scraper", RANDOM);
    private static final MintedKey SCRAPER_TOO = KeyMint.mint("scraper-too", RANDOM);
    private static final MintedKey LATE_SCRAPER = KeyMint.mint("late-scraper", RANDOM);
    private static final MintedKey BURSTY = KeyMint.mint("bursty", RANDOM);

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("Someone"));
    static final List<ConfigurableApplicationContext> instances = new ArrayList<>();
    static final List<WebTestClient> clients = new ArrayList<>();

    LogCapture audit;

    @BeforeAll
    static void start() {
        String keys = keysFile();
        for (int i = 0; i < 3; i++) {
            ConfigurableApplicationContext context = new SpringApplicationBuilder(NamegateApplication.class).run(
                    "--server.port=0", "--management.server.port=0", "--server.address=127.0.0.1",
                    "--namegate.upstream.base-urls=" + upstream.baseUrl(),
                    "--namegate.auth.keys-file=" + keys,
                    "--namegate.warmup.lookups=0", "--namegate.warmup.requests=0", "--namegate.warmup.probes=0", "--namegate.overload.enabled=false",
                    "--namegate.upstream.response-timeout=1s", "--namegate.upstream.attempt-timeout=1500ms",
                    "--namegate.upstream.deadline=5s",
                    "--namegate.limits.trusted-proxies=127.0.0.1/32",
                    "--namegate.limits.store=redis", "--namegate.limits.redis.url=" + redis.url(),
                    // the longest call allowed: a loaded test machine must not fall back by accident
                    "--namegate.limits.redis.timeout=50ms", "--namegate.limits.redis.retry-interval=200ms");
            instances.add(context);
            String port = context.getEnvironment().getProperty("local.server.port");
            clients.add(OpenApiContract.client(Integer.parseInt(port)));
        }
    }

    @AfterAll
    static void stop() {
        instances.forEach(ConfigurableApplicationContext::close);
    }

    @BeforeEach
    void everyInstanceUsesRedis() {
        awaitShared();
        audit = LogCapture.of(AuditLog.LOGGER_NAME);
    }

    /** Until every instance has used Redis again (a request is what tries it after a failure). */
    private static void awaitShared() {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (int i = 0; i < instances.size(); i++) {
                assertThat(outcome(get(i, "/users/1", GOOD.key(), "198.51.100.250"))).isEqualTo("200 ");
            }
            assertThat(instances).allSatisfy(i -> assertThat(shared(i)).isEqualTo(1));
        });
    }

    @AfterEach
    void stopCapture() {
        audit.close();
    }

    private static String keysFile() {
        return TestKeys.keysFile(
                GOOD.keysFileLine() + " " + TestKeys.UNLIMITED,
                SCRAPER.keysFileLine() + " ids-per-day=3",
                SCRAPER_TOO.keysFileLine() + " ids-per-day=4",
                LATE_SCRAPER.keysFileLine() + " ids-per-day=2",
                BURSTY.keysFileLine() + " rate=0.01 burst=4").toString();
    }

    private static EntityExchangeResult<byte[]> get(int instance, String path, String key, String from) {
        return clients.get(instance % clients.size()).get().uri(path)
                .header("Authorization", "Bearer " + key)
                .header("X-Forwarded-For", from)
                .exchange().expectBody().returnResult();
    }

    private static String problem(EntityExchangeResult<byte[]> result) {
        byte[] body = result.getResponseBody();
        return body == null || result.getStatus().value() == 200 ? ""
                : JSON.readTree(body).get("type").asString().replace("https://namegate.dev/problems/", "");
    }

    private static String outcome(EntityExchangeResult<byte[]> result) {
        return result.getStatus().value() + " " + problem(result);
    }

    private static double shared(ConfigurableApplicationContext instance) {
        return instance.getBean(MeterRegistry.class).get("namegate.limits.store.shared").gauge().value();
    }

    private List<String> auditEvents() {
        return audit.messages().stream().map(JSON::readTree).map(l -> l.get("audit").asString()).toList();
    }

    @Test
    void twoInstancesServeAClientItsQuotaOfDistinctIdsOnceBetweenThem() {
        List<String> outcomes = new ArrayList<>();
        for (int id = 1; id <= 6; id++) {
            outcomes.add(outcome(get(id % 2, "/users/" + id, SCRAPER.key(), "198.51.100.1")));
        }
        assertThat(outcomes).containsExactly("200 ", "200 ", "200 ", "429 quota-exceeded", "429 quota-exceeded",
                "429 quota-exceeded");
        assertThat(outcome(get(0, "/users/2", SCRAPER.key(), "198.51.100.1")))
                .as("an id the other instance counted is re-read freely").isEqualTo("200 ");
        assertThat(auditEvents()).containsExactlyInAnyOrder("quota-warning", "quota-exhausted");
    }

    @Test
    void threeInstancesServeAClientItsQuotaOfDistinctIdsOnceBetweenThem() {
        List<String> outcomes = new ArrayList<>();
        for (int id = 1; id <= 9; id++) {
            outcomes.add(outcome(get(id, "/users/" + id, SCRAPER_TOO.key(), "198.51.100.2")));
        }
        assertThat(outcomes.subList(0, 4)).containsOnly("200 ");
        assertThat(outcomes.subList(4, 9)).containsOnly("429 quota-exceeded");
    }

    @Test
    void threeInstancesServeExactlyOneBurstBetweenThem() {
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            outcomes.add(outcome(get(i, "/users/1", BURSTY.key(), "198.51.100.3")));
        }
        assertThat(outcomes.subList(0, 4)).containsOnly("200 ");
        assertThat(outcomes.subList(4, 9)).containsOnly("429 rate-limited");
        assertThat(get(1, "/users/1", BURSTY.key(), "198.51.100.3").getResponseHeaders().getFirst("RateLimit-Policy"))
                .isEqualTo("\"default\";q=4;w=400");
    }

    @Test
    void aGuessersFailuresCountOnceAcrossInstancesAndTheThrottleStartsOnce() {
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            outcomes.add(outcome(get(i, "/users/1", KeyMint.mint("nobody" + i, RANDOM).key(), "198.51.100.4")));
        }
        assertThat(outcomes.subList(0, 10)).as("10 failures allowed in all, not 10 per instance")
                .containsOnly("401 unauthorized");
        assertThat(outcomes.subList(10, 15)).containsOnly("429 authentication-throttled");
        assertThat(outcome(get(2, "/users/1", GOOD.key(), "198.51.100.4")))
                .as("a valid key is served from a throttled address").isEqualTo("200 ");
        assertThat(auditEvents()).filteredOn("throttle-start"::equals).hasSize(1);
        assertThat(auditEvents()).filteredOn("authentication-failure"::equals).hasSize(10);
    }

    @Test
    void withRedisStoppedEveryRequestIsAnsweredAndOnceRestartedTheLimitsAreSharedAgain() {
        redis.stop();
        try {
            for (int i = 0; i < 30; i++) {
                assertThat(outcome(get(i, "/users/" + (100 + i), GOOD.key(), "198.51.100.5"))).isEqualTo("200 ");
            }
            assertThat(instances).allSatisfy(i -> assertThat(shared(i)).as("per-replica limits").isZero());
            for (ConfigurableApplicationContext instance : instances) {
                String management = instance.getEnvironment().getProperty("local.management.port");
                WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + management).build()
                        .get().uri("/actuator/health/readiness").exchange()
                        .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
            }
        } finally {
            redis.start();
        }
        awaitShared();
        List<String> outcomes = new ArrayList<>();
        for (int id = 1; id <= 4; id++) {
            outcomes.add(outcome(get(id, "/users/" + id, LATE_SCRAPER.key(), "198.51.100.6")));
        }
        assertThat(outcomes).as("shared again: one quota across the instances")
                .containsExactly("200 ", "200 ", "429 quota-exceeded", "429 quota-exceeded");
    }
}
