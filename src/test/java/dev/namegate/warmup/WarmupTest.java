package dev.namegate.warmup;

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
import reactor.util.retry.Retry;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.TestKeys;

/** Readiness waits for the warm-up, which goes through the internal client and the public path. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "namegate.cache.enabled=false",
        "namegate.upstream.hedging.enabled=false",
        "namegate.warmup.lookups=4",
        "namegate.warmup.requests=8",
        // long enough that the held warm-up lookups are answered, not timed out and retried
        "namegate.upstream.response-timeout=15s",
        "namegate.upstream.attempt-timeout=16s",
        "namegate.upstream.deadline=20s",
        "namegate.upstream.pool.pending-acquire-timeout=1s",
})
class WarmupTest {

    /** Holds every upstream answer until the test has seen readiness down. */
    static final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    static final MockWebServer upstream = started();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("namegate.upstream.base-urls", () -> "http://127.0.0.1:" + upstream.getPort());
        registry.add("namegate.auth.keys-file", () -> TestKeys.keysFile().toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    Warmup warmup;

    @AfterAll
    static void stop() {
        upstream.close();
    }

    private static MockWebServer started() {
        return MockUpstream.started(request -> {
            release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                    .body("{\"name\":\"John\"}").build();
        });
    }

    @Test
    void readinessTurnsGreenOnlyAfterLookupsAndSelfRequestsAreDone() {
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
        client.get().uri("/livez").exchange().expectStatus().isOk().expectBody().returnResult();
        // the warm-up is stuck on its first lookup: alive, not ready
        org.springframework.web.reactive.function.client.WebClient.create("http://127.0.0.1:" + port)
                .get().uri("/livez").retrieve().toBodilessEntity()
                .filter(r -> upstream.getRequestCount() > 0)
                .repeatWhenEmpty(400, flux -> flux.delayElements(Duration.ofMillis(25)))
                .block(Duration.ofSeconds(30));
        client.get().uri("/readyz").exchange().expectStatus().isEqualTo(503).expectBody().returnResult();
        assertThat(warmup.isDone()).isFalse();

        release.countDown();
        org.springframework.web.reactive.function.client.WebClient.create("http://127.0.0.1:" + port)
                .get().uri("/readyz").retrieve().toBodilessEntity()
                .retryWhen(Retry.fixedDelay(400, Duration.ofMillis(50)))
                .block(Duration.ofSeconds(30));

        assertThat(warmup.isDone()).isTrue();
        // 4 lookups plus 8 requests through the public API, each one upstream call
        assertThat(upstream.getRequestCount()).isEqualTo(12);
        double served = meters.get("http.server.requests").tag("uri", "/users/{id}").tag("status", "200").timer().count();
        assertThat(served).isEqualTo(8);
        // the warm-up key died with the warm-up; the real key still works
        client.get().uri("/users/1").header("Authorization", TestKeys.bearer()).exchange().expectStatus().isOk().expectBody().returnResult();
    }
}
