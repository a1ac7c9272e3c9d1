package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.micrometer.core.instrument.MeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.TestKeys;
import dev.namegate.web.RequestId;

/**
 * The story, day by day, against a scripted internal service (MockWebServer) through the whole
 * public API. Timeouts are generous here (a noisy CI machine must not fail a functional test);
 * the 100 ms budget is measured by the benchmarks.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "namegate.cache.enabled=false",
        // the story-day mechanics on their own; the guards have their own tests
        "namegate.upstream.hedging.enabled=false",
        "namegate.upstream.breaker.enabled=false",
        "namegate.overload.enabled=false",
        "namegate.upstream.rate-limit.enabled=false",
        "namegate.upstream.budget.enabled=false",
        "namegate.warmup.lookups=0", "namegate.warmup.requests=0",
        "namegate.upstream.connect-timeout=500ms",
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
        "namegate.upstream.pool.pending-acquire-timeout=500ms",
})
class StoryDaysTest {

    static final MockWebServer upstream = MockUpstream.started();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("namegate.upstream.base-urls", () -> "http://127.0.0.1:" + upstream.getPort());
        registry.add("namegate.auth.keys-file", () -> TestKeys.keysFile().toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    WebTestClient client;
    int requestsBefore;

    @BeforeEach
    void setUp() throws InterruptedException {
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        // drop what earlier tests left recorded, then count from here
        while (upstream.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
            // drain
        }
        requestsBefore = upstream.getRequestCount();
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    private int upstreamRequests() {
        return upstream.getRequestCount() - requestsBefore;
    }

    private WebTestClient.ResponseSpec getUser(String id) {
        return client.get().uri("/users/" + id).header("Authorization", TestKeys.bearer()).exchange();
    }

    private double attempts(String outcome) {
        var counter = meters.find("namegate.upstream.attempts").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void day1HealthyAnswerIsTheNameAsJson() throws InterruptedException {
        upstream.enqueue(MockUpstream.name("John"));

        getUser("1").expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectHeader().exists(RequestId.HEADER)
                .expectBody().json("{\"id\":1,\"name\":\"John\"}", org.springframework.test.json.JsonCompareMode.STRICT);

        RecordedRequest request = upstream.takeRequest(1, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getTarget()).isEqualTo("/1");
        assertThat(upstreamRequests()).isEqualTo(1);
    }

    @Test
    void day2TransientServerErrorsAreRetriedUntilSuccessAndEachRetryIsLogged() {
        upstream.enqueue(MockUpstream.status(500, "Internal error"));
        upstream.enqueue(MockUpstream.status(500, "Internal error"));
        upstream.enqueue(MockUpstream.status(503, ""));
        upstream.enqueue(MockUpstream.name("Carl"));

        try (LogCapture retries = LogCapture.of("dev.namegate.upstream.retry")) {
            getUser("2").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("Carl");

            assertThat(upstreamRequests()).isEqualTo(4);
            assertThat(retries.messages()).hasSize(3);
            assertThat(retries.messages().get(0)).startsWith("retrying: status 500").contains("attempt=1");
            assertThat(retries.messages().get(2)).startsWith("retrying: status 503").contains("attempt=3");
        }
    }

    @Test
    void day2OutageEndsIn502AfterTheStatusAllowance() {
        for (int i = 0; i < 9; i++) {
            upstream.enqueue(MockUpstream.status(500, "Internal error"));
        }
        getUser("1").expectStatus().isEqualTo(502)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://namegate.dev/problems/upstream-failed")
                .jsonPath("$.status").isEqualTo(502)
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).doesNotContain("Internal error"));
        // default allowance: 8 retries of statuses, so 9 attempts in all
        assertThat(upstreamRequests()).isEqualTo(9);
    }

    @Test
    void day3RateLimitWithRetryAfterThatFitsIsHonoured() {
        upstream.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "0").build());
        upstream.enqueue(MockUpstream.name("John"));
        getUser("1").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("John");
        assertThat(upstreamRequests()).isEqualTo(2);
    }

    @Test
    void day3RateLimitWithoutRetryAfterIsRetriedWithBackoff() {
        upstream.enqueue(MockUpstream.status(429, "slow down"));
        upstream.enqueue(MockUpstream.status(429, "slow down"));
        upstream.enqueue(MockUpstream.name("John"));
        getUser("1").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("John");
        assertThat(upstreamRequests()).isEqualTo(3);
    }

    @Test
    void day3RateLimitWithRetryAfterBeyondTheDeadlineIs503WithThatRetryAfter() {
        upstream.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "7").build());
        upstream.enqueue(MockUpstream.name("John")); // must not be fetched
        getUser("1").expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "7")
                .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/upstream-unavailable");
        assertThat(upstreamRequests()).isEqualTo(1);
        getUser("1").expectStatus().isOk().expectBody().returnResult(); // consumes the queued answer for the next test
    }

    @ParameterizedTest
    @ValueSource(strings = { "86400", "99999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT" })
    void day3RetryAfterOfADayOrForeverIsPassedOnCappedAtAMinute(String retryAfter) {
        upstream.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", retryAfter).build());
        client.get().uri("/users/1").header("Authorization", TestKeys.bearer()).exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "60")
                .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/upstream-unavailable");
    }

    @Test
    void day4ResponseSlowerThanTheResponseTimeoutIsAbandonedAndRetried() {
        double timeoutsBefore = attempts("response_timeout");
        upstream.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                .body("{\"name\":\"Slow\"}").headersDelay(3, TimeUnit.SECONDS).build());
        upstream.enqueue(MockUpstream.name("Rob"));

        getUser("3").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("Rob");

        assertThat(upstreamRequests()).isEqualTo(2);
        assertThat(attempts("response_timeout") - timeoutsBefore).isEqualTo(1);
    }

    @Test
    void connectionClosedBeforeTheResponseIsRetriedOnAFreshConnection() {
        double closedBefore = attempts("connection_closed");
        upstream.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
        upstream.enqueue(MockUpstream.name("John"));

        getUser("1").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("John");

        assertThat(upstreamRequests()).isEqualTo(2);
        assertThat(attempts("connection_closed") - closedBefore).isEqualTo(1);
    }

    @Test
    void day6UserNotExistsIs404AfterExactlyOneAttempt() {
        upstream.enqueue(MockUpstream.status(500, "User not exists."));
        upstream.enqueue(MockUpstream.name("must not be fetched"));

        getUser("999").expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://namegate.dev/problems/user-not-found")
                .jsonPath("$.requestId").exists();

        assertThat(upstreamRequests()).isEqualTo(1);
        getUser("1").expectStatus().isOk().expectBody().returnResult(); // consumes the queued answer for the next test
    }

    @Test
    void malformedSuccessIsAContractBreakAnswered502WithoutRetry() {
        upstream.enqueue(new MockResponse.Builder().code(200).body("John").build());
        try (LogCapture log = LogCapture.of("dev.namegate.upstream")) {
            getUser("1").expectStatus().isEqualTo(502)
                    .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/upstream-failed");
            assertThat(log.messages()).anyMatch(m -> m.startsWith("upstream contract break"));
            assertThat(log.messages()).noneMatch(m -> m.contains("John"));
        }
        assertThat(upstreamRequests()).isEqualTo(1);
    }

    @Test
    void unexpectedClientErrorFromUpstreamIsNeverRetried() {
        upstream.enqueue(MockUpstream.status(404, "nope"));
        getUser("1").expectStatus().isEqualTo(502).expectBody().returnResult();
        assertThat(upstreamRequests()).isEqualTo(1);
    }

    @Test
    void oversizedUpstreamBodyIsRejected() {
        upstream.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                .body("{\"name\":\"" + "x".repeat(64 * 1024) + "\"}").build());
        getUser("1").expectStatus().isEqualTo(502).expectBody().returnResult();
        assertThat(upstreamRequests()).isEqualTo(1);
    }

    @Test
    void namesWithUnicodeQuotesAndBackslashesSurviveInJsonAndText() {
        String name = "Zoë \"Q\" O'Brien \\ 李 🚀";
        String json = "{\"name\":\"Zoë \\\"Q\\\" O'Brien \\\\ 李 🚀\"}";
        MockResponse answer = new MockResponse.Builder().code(200)
                .setHeader("Content-Type", "application/json; charset=utf-8").body(json).build();
        upstream.enqueue(answer);
        upstream.enqueue(answer);

        getUser("4").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo(name);
        client.get().uri("/users/4").header("Authorization", TestKeys.bearer()).accept(MediaType.TEXT_PLAIN)
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentType("text/plain;charset=UTF-8")
                .expectBody(String.class).isEqualTo(name);
    }

    @Test
    void theServersRequestIdAndTraceparentTravelUpstreamAndTheCallersIdComesBackAsCorrelationId()
            throws InterruptedException {
        upstream.enqueue(MockUpstream.name("John"));
        HttpHeaders answer = client.get().uri("/users/1").header("Authorization", TestKeys.bearer())
                .header(RequestId.HEADER, "caller-id.42")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(RequestId.CORRELATION_HEADER, "caller-id.42")
                .returnResult(String.class).getResponseHeaders();
        String requestId = answer.getFirst(RequestId.HEADER);
        assertThat(requestId).as("the id of record is ours").matches("[0-9a-f]{32}");

        RecordedRequest request = upstream.takeRequest(1, TimeUnit.SECONDS);
        assertThat(request.getHeaders().get(RequestId.HEADER)).isEqualTo(requestId);
        assertThat(request.getHeaders().get("traceparent"))
                .matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01")
                .isNotEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    }

    @Test
    void aCallersRequestIdNeverBecomesTheIdOfAProblem() {
        String body = client.get().uri("/users/abc").header("Authorization", TestKeys.bearer())
                .header(RequestId.HEADER, "chosen-by-caller")
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().valueEquals(RequestId.CORRELATION_HEADER, "chosen-by-caller")
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).doesNotContain("chosen-by-caller").containsPattern("\"requestId\":\"[0-9a-f]{32}\"");
    }

    @ParameterizedTest
    @MethodSource("unacceptableCallerRequestIds")
    void unacceptableCallerRequestIdIsNeitherKeptNorEchoed(String offered) {
        upstream.enqueue(MockUpstream.name("John"));
        HttpHeaders answer = client.get().uri("/users/1").header("Authorization", TestKeys.bearer())
                .header(RequestId.HEADER, offered)
                .exchange()
                .expectStatus().isOk()
                .returnResult(String.class).getResponseHeaders();
        assertThat(answer.getFirst(RequestId.HEADER)).matches("[0-9a-f]{32}");
        assertThat(answer.containsHeader(RequestId.CORRELATION_HEADER)).isFalse();
    }

    static Stream<String> unacceptableCallerRequestIds() {
        // the last two fit [A-Za-z0-9._-]{1,64}, but a key must be neither logged nor echoed
        return Stream.of("bad id\twith spaces", TestKeys.CLIENT.key(), "trace." + TestKeys.CLIENT.key());
    }

    @Test
    void headIsLikeGetWithoutABody() {
        upstream.enqueue(MockUpstream.name("John"));
        client.head().uri("/users/1").header("Authorization", TestKeys.bearer()).exchange()
                .expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody().isEmpty();
        assertThat(upstreamRequests()).isEqualTo(1);
    }
}
