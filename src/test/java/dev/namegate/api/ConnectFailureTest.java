package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.micrometer.core.instrument.MeterRegistry;

import dev.namegate.simulator.DeadInstance;
import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;

/**
 * An instance that cannot even accept a connection. The internal service is two instances, one
 * of which never completes a connect; the connect times out and the retry goes to the other one.
 * On real time: the connect timeout is Netty's own timer.
 */
@ServerTest
@TestPropertySource(properties = {
        "namegate.cache.enabled=false",
        // the retries alone; the guards have their own tests
        "namegate.upstream.hedging.enabled=false",
        "namegate.upstream.breaker.enabled=false",
        "namegate.upstream.rate-limit.enabled=false",
        "namegate.upstream.connect-timeout=100ms",
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
        "namegate.upstream.pool.pending-acquire-timeout=500ms",
})
class ConnectFailureTest {

    static final DeadInstance dead = new DeadInstance();

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.queued();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("namegate.upstream.base-urls", () -> dead.baseUrl() + "," + upstream.baseUrl());
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @AfterAll
    static void stop() {
        dead.close();
    }

    @Test
    void aConnectTimeoutIsRetriedOnTheOtherInstance() {
        WebTestClient client = OpenApiContract.client(port);
        for (int i = 0; i < 2; i++) {
            upstream.enqueue(MockUpstream.name("John"));
        }

        try (LogCapture retries = LogCapture.of("dev.namegate.upstream.retry")) {
            // round robin over [dead, live] goes on from one attempt to the next: each of the two
            // lookups starts at the dead instance, and its retry goes to the live one
            for (int i = 0; i < 2; i++) {
                client.get().uri("/users/1").header("Authorization", TestKeys.bearer()).exchange()
                        .expectStatus().isOk()
                        .expectBody().jsonPath("$.name").isEqualTo("John");
            }
            assertThat(retries.messages()).hasSize(2)
                    .allMatch(m -> m.startsWith("retrying: connect timeout after 100 ms"));
        }

        assertThat(upstream.requestCount()).isEqualTo(2);
        double connectFailures = meters.get("namegate.upstream.attempts").tag("outcome", "connect_failure").counter().count();
        assertThat(connectFailures).isEqualTo(2);
    }
}
