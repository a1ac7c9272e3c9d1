package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.TestKeys;

/**
 * The deadline bounds everything: an internal service that never answers in time gets a 504
 * shortly after the deadline, however many attempts were allowed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "namegate.cache.enabled=false",
        // the story-day mechanics on their own; the guards have their own tests
        "namegate.upstream.hedging.enabled=false",
        "namegate.upstream.breaker.enabled=false",
        "namegate.overload.enabled=false",
        "namegate.upstream.rate-limit.enabled=false",
        "namegate.warmup.lookups=0", "namegate.warmup.requests=0",
        "namegate.upstream.connect-timeout=100ms",
        "namegate.upstream.response-timeout=150ms",
        "namegate.upstream.attempt-timeout=200ms",
        "namegate.upstream.deadline=400ms",
        "namegate.upstream.allowances.response-timeouts=10",
        "namegate.upstream.pool.pending-acquire-timeout=100ms",
})
class DeadlineTest {

    static final Duration DEADLINE = Duration.ofMillis(400);
    static final MockWebServer upstream = started();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("namegate.upstream.base-urls", () -> "http://127.0.0.1:" + upstream.getPort());
        registry.add("namegate.auth.keys-file", () -> TestKeys.keysFile().toString());
    }

    @LocalServerPort
    int port;

    @AfterAll
    static void stop() {
        upstream.close();
    }

    private static MockWebServer started() {
        return MockUpstream.started(request -> {
            return new MockResponse.Builder().code(200).body("{\"name\":\"Late\"}")
                    .headersDelay(5, TimeUnit.SECONDS).build();
        });
    }

    @Test
    void aSlowInternalServiceIsCutOffAtTheDeadlineWith504() {
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        // one call first so class loading does not count against the measured one
        client.get().uri("/users/1").header("Authorization", TestKeys.bearer()).exchange().expectStatus().isEqualTo(504).expectBody().returnResult();
        int before = upstream.getRequestCount();

        long start = System.nanoTime();
        try (LogCapture failures = LogCapture.of("dev.namegate.api.failures")) {
            String requestId = client.get().uri("/users/1").header("Authorization", TestKeys.bearer())
                    .header("X-Request-Id", "late-1")
                    .exchange()
                    .expectStatus().isEqualTo(504)
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/deadline-exceeded")
                    .returnResult().getResponseHeaders().getFirst("X-Request-Id");
            // at DEBUG, one line says where the deadline caught the lookup (the deadline itself, or
            // the retry policy seeing no time for another attempt: the two race at 400 ms)
            assertThat(failures.messages()).singleElement().asString()
                    .matches("lookup failed \\(DEADLINE\\): (deadline expired after [12] retr(y|ies), last: "
                            + "|no time left for another attempt after: )(response timeout after 150 ms|attempt timeout)"
                            + " \\[request=" + requestId + "]");
            // the caller's own id rides along as a field of its own, never as the id of record
            assertThat(failures.events().get(0).getKeyValuePairs()).extracting(pair -> pair.key + "=" + pair.value)
                    .containsExactly("requestId=" + requestId, "correlationId=late-1");
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        // attempts of 150 ms fit twice, then the deadline cuts the third
        assertThat(elapsed).isGreaterThanOrEqualTo(DEADLINE.minusMillis(10)).isLessThan(DEADLINE.plusMillis(800));
        assertThat(upstream.getRequestCount() - before).isBetween(2, 3);
    }
}
