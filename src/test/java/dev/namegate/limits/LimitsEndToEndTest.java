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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import reactor.core.publisher.Flux;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.KeyMint;
import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.auth.KeyRegistry;
import dev.namegate.testing.LogCapture;
import dev.namegate.testing.TestKeys;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The limits through the real server. The loopback peer is a trusted proxy here, so each test
 * plays clients at other addresses with {@code X-Forwarded-For}, as an ingress would send it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "namegate.warmup.lookups=0", "namegate.warmup.requests=0",
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
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

    static final MockWebServer upstream = started();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("namegate.upstream.base-urls", () -> "http://127.0.0.1:" + upstream.getPort());
        registry.add("namegate.auth.keys-file", KEYS::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    KeyRegistry keyRegistry;

    WebTestClient client;
    LogCapture audit;
    final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    final ListAppender<ILoggingEvent> everything = new ListAppender<>();

    /** A copy: other threads (event loops, the context's timers) may log while a test reads. */
    private List<ILoggingEvent> everythingLogged() {
        synchronized (everything) { // the lock AppenderBase.doAppend holds while it appends
            return List.copyOf(everything.list);
        }
    }
    Level rootLevel;

    @BeforeEach
    void setUp() {
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        audit = LogCapture.of(AuditLog.LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        everything.start();
        root.addAppender(everything);
    }

    @AfterEach
    void tearDown() {
        audit.close();
        root.detachAppender(everything);
        root.setLevel(rootLevel);
    }

    @AfterAll
    static void stop() {
        upstream.close();
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

    private static MockWebServer started() {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String target = request.getTarget();
                if (target.equals("/999")) {
                    return new MockResponse.Builder().code(500).body("User not exists.").build();
                }
                return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                        .body("{\"name\":\"User " + target.substring(1) + "\"}").build();
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return server;
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
        for (int i = 0; i < 30; i++) {
            String key = i % 3 == 0 ? "ng_not-even-a-key-" + i : badKey(i);
            badKeys.add(key);
            statuses.add(get("/users/1", key, attacker).getStatus().value());
        }
        assertThat(statuses.subList(0, 10)).containsOnly(401);
        assertThat(statuses.subList(10, 30)).containsOnly(429);

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

        List<JsonNode> lines = auditLines();
        assertThat(lines).filteredOn(l -> l.get("audit").asString().equals("authentication-failure")).hasSize(10)
                .allSatisfy(l -> {
                    assertThat(l.get("address").asString()).isEqualTo("198.51.100.1");
                    assertThat(l.get("reason").asString()).isIn("malformed-key", "unknown-key");
                    assertThat(l.get("requestId").asString()).isNotBlank();
                });
        assertThat(lines).filteredOn(l -> l.get("audit").asString().equals("throttle-start")).hasSize(1);
        assertThat(lines).hasSize(11);

        List<String> logged = new ArrayList<>(audit.messages());
        everythingLogged().forEach(e -> logged.add(e.getFormattedMessage() + " " + e.getMDCPropertyMap()));
        for (String key : badKeys) {
            String secretPart = key.length() > 20 ? key.substring(3, 20) : key;
            assertThat(logged).noneMatch(line -> line.contains(secretPart));
        }
        assertThat(logged).noneMatch(line -> line.contains(GOOD.key().substring(3, 20)) || line.contains("Bearer "));
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
            assertThat(Long.parseLong(refused.getResponseHeaders().getFirst("Retry-After")))
                    .isBetween(86_000L, 86_400L);
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

    /** The scraper: one key walking new ids at 50 requests/s, open loop, for 3 s. */
    @Test
    void aScraperAt50PerSecondObtainsExactlyItsQuotaOfDistinctNames() {
        WebClient scraper = WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultHeader("Authorization", "Bearer " + PACED.key())
                .defaultHeader("X-Forwarded-For", "198.51.100.70")
                .build();
        List<ResponseEntity<String>> answers = Flux.interval(Duration.ofMillis(20)).take(150)
                .flatMap(i -> scraper.get().uri("/users/{id}", 5_000 + i)
                        .exchangeToMono(response -> response.toEntity(String.class)))
                .collectList()
                .block(Duration.ofSeconds(30));

        Set<String> names = new HashSet<>();
        int quotaRefusals = 0;
        for (ResponseEntity<String> answer : answers) {
            if (answer.getStatusCode().value() == 200) {
                names.add(JSON.readTree(answer.getBody()).get("name").asString());
            } else if (answer.getStatusCode().value() == 429 && answer.getBody().contains("/quota-exceeded")) {
                quotaRefusals++;
            }
        }
        assertThat(names).hasSize(PACED_QUOTA);
        assertThat(quotaRefusals).isEqualTo(150 - PACED_QUOTA);
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
        assertThat(first.getResponseHeaders().getFirst("RateLimit")).matches("\"default\";r=2;t=1");
        assertThat(get("/users/1", SLOW.key(), from).getStatus().value()).isEqualTo(200);
        assertThat(get("/users/1", SLOW.key(), from).getStatus().value()).isEqualTo(200);
        EntityExchangeResult<byte[]> refused = get("/users/1", SLOW.key(), from);
        assertThat(refused.getStatus().value()).isEqualTo(429);
        assertThat(problemType(refused)).endsWith("/rate-limited");
        assertThat(refused.getResponseHeaders().getFirst("Retry-After")).isEqualTo("1");
        assertThat(refused.getResponseHeaders().getFirst("RateLimit")).matches("\"default\";r=0;t=[23]");
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
        EntityExchangeResult<byte[]> longUri = get("/users/" + "1".repeat(5_000), GOOD.key(), "198.51.100.60");
        assertThat(longUri.getStatus().value()).isEqualTo(414);
        EntityExchangeResult<byte[]> bigHeader = client.get().uri("/users/1?key=hunter2oversized")
                .header("Authorization", "Bearer " + GOOD.key())
                .header("X-Padding", "x".repeat(9_000))
                .exchange().expectBody().returnResult();
        assertThat(bigHeader.getStatus().value()).isEqualTo(431);
        assertThat(everythingLogged()).as("Netty's own refusal log must not carry the query")
                .filteredOn(e -> !e.getLoggerName().startsWith("reactor.netty.http.client")) // the test's own client
                .noneMatch(e -> e.getFormattedMessage().contains("hunter2oversized"));
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
