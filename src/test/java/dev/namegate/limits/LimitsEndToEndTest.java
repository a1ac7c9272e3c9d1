package dev.namegate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.KeyMint;
import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.auth.KeyRegistry;
import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;
import dev.namegate.testing.VirtualTime;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The limits through the real server. The loopback peer is a trusted proxy here, so each test
 * plays clients at other addresses with {@code X-Forwarded-For}, as an ingress would send it. On
 * virtual time: the buckets, quota windows and throttles run on the service's one clock, which
 * stands still unless a test moves it.
 */
@ServerTest
@Import(VirtualTime.class)
@TestPropertySource(properties = {
        "namegate.upstream.connect-timeout=1s",
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
        // the client limits are the subject; pacing toward the internal service would wait on the virtual clock
        "namegate.upstream.rate-limit.enabled=false",
        "namegate.limits.trusted-proxies=127.0.0.1/32,::1",
})
class LimitsEndToEndTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final MintedKey GOOD = KeyMint.mint("good", RANDOM);
    static final MintedKey SCRAPER = KeyMint.mint("scraper", RANDOM);
    static final MintedKey NEIGHBOUR = KeyMint.mint("neighbour", RANDOM);
    static final MintedKey CAREFUL = KeyMint.mint("careful", RANDOM);
    static final MintedKey WALKER = KeyMint.mint("walker", RANDOM);
    static final MintedKey SLOW = KeyMint.mint("slow", RANDOM);
    static final MintedKey PACED = KeyMint.mint("paced-scraper", RANDOM);
    static final Path KEYS = keysFile();

    /** Answers every id with "User <id>", and 999 as unknown. */
    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> request.getTarget().equals("/999")
            ? MockUpstream.status(500, "User not exists.")
            : MockUpstream.name("User " + request.getTarget().substring(1)));

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("namegate.auth.keys-file", KEYS::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    KeyRegistry keyRegistry;

    @Autowired
    VirtualTimeScheduler time;

    WebTestClient client;
    LogCapture audit;
    @BeforeEach
    void setUp() {
        client = OpenApiContract.client(port);
        audit = LogCapture.of(AuditLog.LOGGER_NAME);
    }

    @AfterEach
    void tearDown() {
        audit.close();
    }

    private static Path keysFile() {
        try {
            Path file = Files.createTempFile("namegate-limits-keys", "");
            file.toFile().deleteOnExit();
            Files.writeString(file, String.join("\n",
                    GOOD.keysFileLine() + " " + TestKeys.UNLIMITED,
                    SCRAPER.keysFileLine() + " ids-per-day=20",
                    NEIGHBOUR.keysFileLine() + " ids-per-day=20",
                    CAREFUL.keysFileLine() + " ids-per-day=2",
                    WALKER.keysFileLine() + " ids-per-day=1",
                    SLOW.keysFileLine() + " rate=1 burst=3",
                    // the default rate (50/s, burst 100): only the quota stops a scraper at 50/s
                    PACED.keysFileLine() + " ids-per-day=" + PACED_QUOTA) + "\n");
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private EntityExchangeResult<byte[]> get(String path, String key, String forwardedFor) {
        return request(HttpMethod.GET, path, key, forwardedFor);
    }

    private EntityExchangeResult<byte[]> request(HttpMethod method, String path, String key, String forwardedFor) {
        var spec = client.method(method).uri(path);
        if (key != null) {
            spec = spec.header("Authorization", "Bearer " + key);
        }
        if (forwardedFor != null) {
            spec = spec.header("X-Forwarded-For", forwardedFor);
        }
        return spec.exchange().expectBody().returnResult();
    }

    private static String problemType(EntityExchangeResult<byte[]> result) {
        return JSON.readTree(result.getResponseBody()).get("type").asString();
    }

    private List<JsonNode> auditLines() {
        return audit.messages().stream().map(JSON::readTree).toList();
    }

    private static String badKey(int i) {
        // well-formed keys (valid checksum) that are not in the keys file
        return KeyMint.mint("nobody" + i, RANDOM).key();
    }

    @Test
    void badKeysFromOneAddressAreSlowedWhileValidKeysFromItAndOtherAddressesAreServed() {
        String attacker = "1.2.3.4, 198.51.100.1"; // the left-most entry is forged and ignored
        List<String> badKeys = new ArrayList<>();
        List<Integer> statuses = new ArrayList<>();
        LogCapture everything = LogCapture.of(org.slf4j.Logger.ROOT_LOGGER_NAME);
        try (everything) {
            sendBadKeysAndValidOnes(attacker, badKeys, statuses);
        }
        assertThat(statuses.subList(0, 10)).containsOnly(401);
        assertThat(statuses.subList(10, 30)).containsOnly(429);

        List<JsonNode> lines = auditLines();
        // every third key is not even shaped like one
        assertThat(lines).filteredOn(l -> l.get("audit").asString().equals("authentication-failure"))
                .extracting(l -> l.get("reason").asString())
                .containsExactly("malformed-key", "unknown-key", "unknown-key", "malformed-key", "unknown-key",
                        "unknown-key", "malformed-key", "unknown-key", "unknown-key", "malformed-key");
        assertThat(lines).filteredOn(l -> l.get("audit").asString().equals("authentication-failure"))
                .allSatisfy(l -> {
                    assertThat(l.get("address").asString()).isEqualTo("198.51.100.1");
                    assertThat(l.get("requestId").asString()).matches("[0-9a-f]{32}");
                });
        assertThat(lines).filteredOn(l -> l.get("audit").asString().equals("throttle-start")).hasSize(1);
        assertThat(lines).hasSize(11);

        List<String> logged = new ArrayList<>(audit.messages());
        everything.events().forEach(e -> logged.add(e.getFormattedMessage() + " " + e.getMDCPropertyMap()));
        for (String key : badKeys) {
            String secretPart = key.length() > 20 ? key.substring(3, 20) : key;
            assertThat(logged).noneMatch(line -> line.contains(secretPart));
        }
        assertThat(logged).noneMatch(line -> line.contains(GOOD.key().substring(3, 20)) || line.contains("Bearer "));
    }

    private void sendBadKeysAndValidOnes(String attacker, List<String> badKeys, List<Integer> statuses) {
        for (int i = 0; i < 30; i++) {
            String key = i % 3 == 0 ? "ng_not-even-a-key-" + i : badKey(i);
            badKeys.add(key);
            statuses.add(get("/users/1", key, attacker).getStatus().value());
        }

        EntityExchangeResult<byte[]> throttled = get("/users/1", badKey(99), "198.51.100.1");
        assertThat(throttled.getStatus().value()).isEqualTo(429);
        assertThat(problemType(throttled)).endsWith("/authentication-throttled");
        assertThat(throttled.getResponseHeaders().getFirst("Retry-After")).isEqualTo("300");
        assertThat(get("/users/1", GOOD.key(), "198.51.100.1").getStatus().value())
                .as("a valid key is never refused for its address's failures").isEqualTo(200);
        assertThat(get("/users/1", null, "198.51.100.1").getStatus().value())
                .as("no key is a challenge, not a failure").isEqualTo(401);

        assertThat(get("/users/1", GOOD.key(), "198.51.100.2").getStatus().value()).isEqualTo(200);
        assertThat(get("/users/1", GOOD.key(), "1.2.3.4").getStatus().value())
                .as("the forged entry was never charged").isEqualTo(200);
    }

    @Test
    void aScraperIsStoppedAtItsQuotaButMayReReadWhatItHasWhileOthersAreUnaffected() {
        String from = "198.51.100.20";
        int ok = 0;
        for (int id = 1; id <= 20; id++) {
            if (get("/users/" + id, SCRAPER.key(), from).getStatus().value() == 200) {
                ok++;
            }
        }
        assertThat(ok).isEqualTo(20);
        for (int id = 21; id <= 25; id++) {
            EntityExchangeResult<byte[]> refused = get("/users/" + id, SCRAPER.key(), from);
            assertThat(refused.getStatus().value()).isEqualTo(429);
            assertThat(problemType(refused)).endsWith("/quota-exceeded");
            // the clock stands still: the first id leaves the 24 h window in exactly 24 h
            assertThat(refused.getResponseHeaders().getFirst("Retry-After")).isEqualTo("86400");
        }
        assertThat(get("/users/7", SCRAPER.key(), from).getStatus().value()).as("already counted").isEqualTo(200);
        assertThat(get("/users/21", NEIGHBOUR.key(), from).getStatus().value()).isEqualTo(200);

        List<JsonNode> lines = auditLines();
        assertThat(lines).extracting(l -> l.get("audit").asString()).containsExactly("quota-warning", "quota-exhausted");
        assertThat(lines.get(0).get("client").asString()).isEqualTo("scraper");
        assertThat(lines.get(0).get("used").asInt()).isEqualTo(16);
        assertThat(lines.get(1).get("quota").asInt()).isEqualTo(20);
    }

    static final int PACED_QUOTA = 100;

    /** A scraper at 50 requests/s: one key walking new ids, one every 20 ms (virtual), for 3 s. */
    @Test
    void aScraperAt50PerSecondObtainsExactlyItsQuotaOfDistinctNames() {
        Set<String> names = new HashSet<>();
        List<Integer> refusedIds = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            EntityExchangeResult<byte[]> answer = get("/users/" + (5_000 + i), PACED.key(), "198.51.100.70");
            if (answer.getStatus().value() == 200) {
                names.add(JSON.readTree(answer.getResponseBody()).get("name").asString());
            } else {
                assertThat(answer.getStatus().value()).isEqualTo(429);
                assertThat(problemType(answer)).endsWith("/quota-exceeded");
                refusedIds.add(5_000 + i);
            }
            time.advanceTimeBy(Duration.ofMillis(20));
        }
        // the default rate (50/s, burst 100) lets every request through: only the quota stops it
        assertThat(names).hasSize(PACED_QUOTA);
        assertThat(refusedIds).hasSize(150 - PACED_QUOTA).first().isEqualTo(5_000 + PACED_QUOTA);
    }

    @Test
    void invalidIdsDoNotConsumeQuotaButUnknownUsersDo() {
        String from = "198.51.100.30";
        assertThat(get("/users/abc", CAREFUL.key(), from).getStatus().value()).isEqualTo(400);
        assertThat(get("/users/007", CAREFUL.key(), from).getStatus().value()).isEqualTo(400);
        assertThat(get("/users/1", CAREFUL.key(), from).getStatus().value()).isEqualTo(200);
        assertThat(get("/users/2", CAREFUL.key(), from).getStatus().value()).isEqualTo(200);
        assertThat(get("/users/3", CAREFUL.key(), from).getStatus().value()).isEqualTo(429);

        assertThat(get("/users/999", WALKER.key(), from).getStatus().value()).isEqualTo(404);
        assertThat(get("/users/1", WALKER.key(), from).getStatus().value()).as("the 404 counted").isEqualTo(429);
    }

    @Test
    void everyAuthenticatedAnswerCarriesTheRateLimitFieldsAndTheBucketRefusesPastItsBurst() {
        String from = "198.51.100.40";
        EntityExchangeResult<byte[]> first = get("/users/1", SLOW.key(), from);
        assertThat(first.getStatus().value()).isEqualTo(200);
        assertThat(first.getResponseHeaders().getFirst("RateLimit-Policy")).isEqualTo("\"default\";q=3;w=3");
        assertThat(first.getResponseHeaders().getFirst("RateLimit")).isEqualTo("\"default\";r=2;t=1");
        assertThat(get("/users/1", SLOW.key(), from).getStatus().value()).isEqualTo(200);
        assertThat(get("/users/1", SLOW.key(), from).getStatus().value()).isEqualTo(200);
        EntityExchangeResult<byte[]> refused = get("/users/1", SLOW.key(), from);
        assertThat(refused.getStatus().value()).isEqualTo(429);
        assertThat(problemType(refused)).endsWith("/rate-limited");
        assertThat(refused.getResponseHeaders().getFirst("Retry-After")).isEqualTo("1");
        // the clock stands still: the bucket is full again in exactly 3 s
        assertThat(refused.getResponseHeaders().getFirst("RateLimit")).isEqualTo("\"default\";r=0;t=3");
    }

    @Test
    void responsesAreHardened() {
        EntityExchangeResult<byte[]> ok = get("/users/1", GOOD.key(), "198.51.100.50");
        assertThat(ok.getResponseHeaders().getCacheControl()).isEqualTo("no-store");
        assertThat(ok.getResponseHeaders().getFirst("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(ok.getResponseHeaders().containsHeader("Server")).isFalse();

        EntityExchangeResult<byte[]> unauthorized = get("/users/1", null, "198.51.100.50");
        assertThat(unauthorized.getStatus().value()).isEqualTo(401);
        assertThat(unauthorized.getResponseHeaders().getCacheControl()).isEqualTo("no-store");
        assertThat(get("/openapi.yaml", null, null).getResponseHeaders().getFirst("X-Content-Type-Options"))
                .isEqualTo("nosniff");

        for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS,
                HttpMethod.TRACE, HttpMethod.PATCH)) {
            assertThat(request(method, "/users/1", GOOD.key(), "198.51.100.50").getStatus().value())
                    .as(method.name()).isEqualTo(405);
        }
    }

    @Test
    void oversizedInputGetsA4xxFromTheServerItself() {
        LogCapture everything = LogCapture.of(org.slf4j.Logger.ROOT_LOGGER_NAME);
        try (everything) {
            sendOversizedInput();
        }
        assertThat(everything.events()).as("Netty's own refusal log must not carry the query")
                .filteredOn(e -> !e.getLoggerName().startsWith("reactor.netty.http.client")) // the test's own client
                .noneMatch(e -> e.getFormattedMessage().contains("hunter2oversized"));
    }

    private void sendOversizedInput() {
        EntityExchangeResult<byte[]> longUri = get("/users/" + "1".repeat(5_000), GOOD.key(), "198.51.100.60");
        assertThat(longUri.getStatus().value()).isEqualTo(414);
        EntityExchangeResult<byte[]> bigHeader = client.get().uri("/users/1?key=hunter2oversized")
                .header("Authorization", "Bearer " + GOOD.key())
                .header("X-Padding", "x".repeat(9_000))
                .exchange().expectBody().returnResult();
        assertThat(bigHeader.getStatus().value()).isEqualTo(431);
    }

    @Test
    void aKeysFileReloadIsAuditedWithCountsOnly() throws IOException {
        MintedKey added = KeyMint.mint("added", RANDOM);
        Files.writeString(KEYS, Files.readString(KEYS) + added.keysFileLine() + "\n");
        assertThat(keyRegistry.reloadNow()).isEqualTo(KeyRegistry.ReloadOutcome.RELOADED);

        List<JsonNode> lines = auditLines();
        assertThat(lines).hasSize(1);
        JsonNode line = lines.get(0);
        assertThat(line.get("audit").asString()).isEqualTo("keys-reload");
        assertThat(line.get("added").asInt()).isEqualTo(1);
        assertThat(line.get("removed").asInt()).isZero();
        assertThat(audit.messages().get(0)).doesNotContain(added.sha256Hex()).doesNotContain(added.key());
    }
}
