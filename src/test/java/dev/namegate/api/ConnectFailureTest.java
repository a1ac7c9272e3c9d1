package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.micrometer.core.instrument.MeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

import dev.namegate.simulator.DeadInstance;
import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.TestKeys;

/**
 * Day 5: an instance that cannot even accept a connection. The internal service is two
 * instances, one of which never completes a connect; the connect times out and the retry goes
 * to the other one.
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
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
        "namegate.upstream.pool.pending-acquire-timeout=500ms",
})
class ConnectFailureTest {

    static final DeadInstance dead = new DeadInstance();
    static final MockWebServer upstream = started();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("namegate.upstream.base-urls",
                () -> dead.baseUrl() + ",http://127.0.0.1:" + upstream.getPort());
        registry.add("namegate.auth.keys-file", () -> TestKeys.keysFile().toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @AfterAll
    static void stop() {
        upstream.close();
        dead.close();
    }

    private static MockWebServer started() {
        return MockUpstream.started();
    }

    @Test
    void connectTimeoutIsRetriedOnTheOtherInstance() {
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < 2; i++) {
            upstream.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                    .body("{\"name\":\"John\"}").build());
        }

        try (LogCapture retries = LogCapture.of("dev.namegate.upstream.retry")) {
            // round robin over [dead, live]: of two lookups, at least one starts at the dead one
            for (int i = 0; i < 2; i++) {
                client.get().uri("/users/1").header("Authorization", TestKeys.bearer()).exchange()
                        .expectStatus().isOk()
                        .expectBody().jsonPath("$.name").isEqualTo("John");
            }
            assertThat(retries.messages()).isNotEmpty()
                    .allMatch(m -> m.startsWith("retrying: connect timeout after 100 ms"));
        }

        assertThat(upstream.getRequestCount()).isEqualTo(2);
        double connectFailures = meters.get("namegate.upstream.attempts").tag("outcome", "connect_failure").counter().count();
        assertThat(connectFailures).isBetween(1.0, 2.0);
    }
}
