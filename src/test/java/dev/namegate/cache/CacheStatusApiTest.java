package dev.namegate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.TestKeys;

/**
 * Through the public API: {@code Cache-Status} on answers, and a stale name standing in during an
 * outage. The cache's TTL is short here (2 s) so the name goes stale within the test (real clock).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "namegate.warmup.lookups=0", "namegate.warmup.requests=0",
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
        "namegate.upstream.breaker.enabled=false",
        "namegate.overload.enabled=false",
        "namegate.upstream.hedging.enabled=false",
        "namegate.cache.ttl=2s",
        "namegate.cache.stale-if-error=10m",
})
class CacheStatusApiTest {

    static volatile boolean down;
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
            return down ? new MockResponse.Builder().code(500).body("Internal error").build()
                    : new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                            .body("{\"name\":\"John\"}").build();
        });
    }

    private WebTestClient.ResponseSpec get() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(10))
                .build().get().uri("/users/1").header("Authorization", TestKeys.bearer()).exchange();
    }

    @Test
    void missThenHitThenStaleDuringAnOutage() throws InterruptedException {
        get().expectStatus().isOk().expectHeader().valueEquals("Cache-Status", "namegate; fwd=miss; stored")
                .expectBody().returnResult();
        get().expectStatus().isOk().expectHeader().value("Cache-Status", v -> assertThat(v).startsWith("namegate; hit; ttl="))
                .expectBody().returnResult();
        int before = upstream.getRequestCount();
        assertThat(before).isEqualTo(1);

        down = true;
        Thread.sleep(2100); // let the 2 s TTL pass (real clock: this is the whole application)
        get().expectStatus().isOk()
                .expectHeader().valueEquals("Cache-Status", "namegate; fwd=stale; fwd-status=502")
                .expectBody().jsonPath("$.name").isEqualTo("John");
        assertThat(upstream.getRequestCount()).isGreaterThan(before); // it did ask, and the answer failed
    }
}
