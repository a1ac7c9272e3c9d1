package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;
import dev.namegate.web.RequestId;

/**
 * Each way the internal service fails, through the whole public API against a scripted internal
 * service: what is retried, how often, and what the caller gets. Every test starts from an empty
 * queue of answers. Timeouts are generous (a busy machine must not fail a functional test); the
 * 100 ms budget is measured by the benchmarks.
 */
@ServerTest
@TestPropertySource(properties = ServerTest.REQUEST_PATH_ONLY)
class FailureModesTest {

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.shared(null);

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    List<MeterObservationHandler<?>> meterObservationHandlers;

    WebTestClient client;

    @BeforeEach
    void setUp() {
        client = OpenApiContract.client(port);
    }

    private WebTestClient.ResponseSpec getUser(String id) {
        return client.get().uri("/users/" + id).header("Authorization", TestKeys.bearer()).exchange();
    }

    private double attempts(String outcome) {
        var counter = meters.find("namegate.upstream.attempts").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aHealthyAnswerIsTheNameAsJsonAfterOnePost() throws InterruptedException {
        upstream.enqueue(MockUpstream.name("John"));

        getUser("1").expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectHeader().exists(RequestId.HEADER)
                .expectBody().json("{\"id\":1,\"name\":\"John\"}", org.springframework.test.json.JsonCompareMode.STRICT);

        RecordedRequest request = upstream.takeRequest();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getTarget()).isEqualTo("/1");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void eachAnswerIsTimedByRouteStatusAndOutcomeWithNoTimerOfRequestsInProgress() {
        upstream.enqueue(MockUpstream.name("John"));
        String[] tags = { "method", "GET", "uri", "/users/{id}", "status", "200", "outcome", "SUCCESS",
                "exception", "none", "error", "none" };
        Timer before = meters.find("http.server.requests").tags(tags).timer();
        long counted = before == null ? 0 : before.count();

        getUser("3").expectStatus().isOk();

        // the timer stops once the answer is written, which the client may see first
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                meters.get("http.server.requests").tags(tags).timer().count()).isEqualTo(counted + 1));
        assertThat(meters.find("http.server.requests.active").meters()).isEmpty();
        // Boot lets the first meter handler take each observation; its default one would add that timer
        assertThat(meterObservationHandlers).first()
                .extracting(handler -> handler.getClass().getSimpleName()).isEqualTo("TimerPerKeyValues");
    }

    @Test
    void transientServerErrorsAreRetriedUntilSuccessAndEachRetryIsLogged() {
        upstream.enqueue(MockUpstream.status(500, "Internal error"));
        upstream.enqueue(MockUpstream.status(500, "Internal error"));
        upstream.enqueue(MockUpstream.status(503, ""));
        upstream.enqueue(MockUpstream.name("Carl"));

        try (LogCapture retries = LogCapture.of("dev.namegate.upstream.retry")) {
            getUser("2").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("Carl");

            assertThat(upstream.requestCount()).isEqualTo(4);
            assertThat(retries.messages()).hasSize(3);
            assertThat(retries.messages().get(0)).startsWith("retrying: status 500").contains("attempt=1");
            assertThat(retries.messages().get(2)).startsWith("retrying: status 503").contains("attempt=3");
        }
    }

    @Test
    void anOutageEndsIn502AfterTheStatusAllowance() {
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
        assertThat(upstream.requestCount()).isEqualTo(9);
    }

    @Test
    void aRateLimitWithARetryAfterThatFitsIsHonoured() {
        upstream.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "0").build());
        upstream.enqueue(MockUpstream.name("John"));
        getUser("1").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("John");
        assertThat(upstream.requestCount()).isEqualTo(2);
    }

    @Test
    void aRateLimitWithoutRetryAfterIsRetriedWithBackoff() {
        upstream.enqueue(MockUpstream.status(429, "slow down"));
        upstream.enqueue(MockUpstream.status(429, "slow down"));
        upstream.enqueue(MockUpstream.name("John"));
        getUser("1").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("John");
        assertThat(upstream.requestCount()).isEqualTo(3);
    }

    @Test
    void aRateLimitWhoseRetryAfterPassesTheDeadlineIs503WithThatRetryAfter() {
        upstream.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "7").build());
        upstream.enqueue(MockUpstream.name("John")); // must not be fetched
        getUser("1").expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "7")
                .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/upstream-unavailable");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = { "86400", "99999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT" })
    void aRetryAfterOfADayOrForeverIsPassedOnCappedAtAMinute(String retryAfter) {
        upstream.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", retryAfter).build());
        getUser("1").expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "60")
                .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/upstream-unavailable");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    /** On real time: the response timeout is Netty's own timer, not the service's clock. */
    @Test
    void aResponseSlowerThanTheResponseTimeoutIsAbandonedAndRetried() {
        double timeoutsBefore = attempts("response_timeout");
        upstream.enqueue(MockUpstream.name("Slow").newBuilder().headersDelay(3, TimeUnit.SECONDS).build());
        upstream.enqueue(MockUpstream.name("Rob"));

        getUser("3").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("Rob");

        assertThat(upstream.requestCount()).isEqualTo(2);
        assertThat(attempts("response_timeout") - timeoutsBefore).isEqualTo(1);
    }

    @Test
    void aConnectionClosedBeforeTheResponseIsRetriedOnAFreshConnection() {
        double closedBefore = attempts("connection_closed");
        upstream.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
        upstream.enqueue(MockUpstream.name("John"));

        getUser("1").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("John");

        assertThat(upstream.requestCount()).isEqualTo(2);
        assertThat(attempts("connection_closed") - closedBefore).isEqualTo(1);
    }

    @Test
    void anUnknownUserIs404AfterExactlyOneAttempt() {
        upstream.enqueue(MockUpstream.status(500, "User not exists."));
        upstream.enqueue(MockUpstream.name("must not be fetched"));

        getUser("999").expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://namegate.dev/problems/user-not-found")
                .jsonPath("$.requestId").exists();

        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void aMalformedSuccessIsAContractBreakAnswered502WithoutRetry() {
        upstream.enqueue(new MockResponse.Builder().code(200).body("John").build());
        try (LogCapture log = LogCapture.of("dev.namegate.upstream")) {
            getUser("1").expectStatus().isEqualTo(502)
                    .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/upstream-failed");
            assertThat(log.messages()).anyMatch(m -> m.startsWith("upstream contract break"));
            assertThat(log.messages()).noneMatch(m -> m.contains("John"));
        }
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void anUnexpectedClientErrorFromUpstreamIsNeverRetried() {
        upstream.enqueue(MockUpstream.status(404, "nope"));
        getUser("1").expectStatus().isEqualTo(502)
                .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/upstream-failed");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void anOversizedUpstreamBodyIsRejectedWithoutRetry() {
        upstream.enqueue(MockUpstream.json("{\"name\":\"" + "x".repeat(64 * 1024) + "\"}"));
        getUser("1").expectStatus().isEqualTo(502)
                .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/upstream-failed");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }
}
