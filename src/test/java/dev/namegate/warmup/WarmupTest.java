package dev.namegate.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.micrometer.core.instrument.MeterRegistry;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;

/** Readiness waits for the warm-up, which goes through the internal client, the public path, the probes and a scrape. */
@ServerTest
@TestPropertySource(properties = {
        "namegate.cache.enabled=false",
        "namegate.upstream.hedging.enabled=false",
        "namegate.warmup.lookups=4",
        "namegate.warmup.requests=8",
        "namegate.warmup.probes=3",
        // long enough that the held warm-up lookups are answered, not timed out and retried
        "namegate.upstream.response-timeout=15s",
        "namegate.upstream.attempt-timeout=16s",
        "namegate.upstream.deadline=20s",
        "namegate.upstream.pool.pending-acquire-timeout=1s",
})
class WarmupTest {

    /** Released once the test has seen readiness down (the warm-up starts with the context, before any test). */
    static final CountDownLatch release = new CountDownLatch(1);

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> {
        release.await(10, TimeUnit.SECONDS);
        return MockUpstream.name("John");
    });

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    Warmup warmup;

    @AfterAll
    static void releaseAnswers() {
        release.countDown();
    }

    @Test
    void readinessTurnsGreenOnlyAfterLookupsSelfRequestsAndProbesAreDone() {
        WebTestClient client = OpenApiContract.client(port);
        client.get().uri("/livez").exchange().expectStatus().isOk().expectBody().returnResult();
        // the warm-up is stuck on its first lookup: alive, not ready
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.requestCount() > 0);
        client.get().uri("/readyz").exchange().expectStatus().isEqualTo(503).expectBody().returnResult();
        assertThat(warmup.isDone()).isFalse();

        release.countDown();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                client.get().uri("/readyz").exchange().expectBody().returnResult().getStatus().value() == 200);

        assertThat(warmup.isDone()).isTrue();
        // 4 lookups plus 8 requests through the public API, each one upstream call
        assertThat(upstream.requestCount()).isEqualTo(12);
        double served = meters.get("http.server.requests").tag("uri", "/users/{id}").tag("status", "200").timer().count();
        assertThat(served).isEqualTo(8);
        // then three rounds of what the cluster sends; the test itself never scrapes
        double scrapes = meters.get("http.server.requests").tag("uri", "/actuator/prometheus").timer().count();
        assertThat(scrapes).isEqualTo(3);
        // the warm-up key died with the warm-up; the real key still works
        client.get().uri("/users/1").header("Authorization", TestKeys.bearer()).exchange().expectStatus().isOk().expectBody().returnResult();
    }
}
