package dev.namegate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;
import dev.namegate.testing.VirtualTime;

/**
 * Through the public API: {@code Cache-Status} on answers, a stale name standing in during an
 * outage, and the outage's own answer once the name is too old to stand in. On virtual time: the
 * cache's clock is the service's one clock, moved by the test.
 */
@ServerTest
@Import(VirtualTime.class)
@TestPropertySource(properties = {
        "namegate.upstream.connect-timeout=1s",
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
        "namegate.upstream.breaker.enabled=false",
        "namegate.upstream.hedging.enabled=false",
        // a failure is final at once: no retry waits on the virtual clock
        "namegate.upstream.allowances.statuses=0",
        "namegate.cache.ttl=2s",
        "namegate.cache.stale-if-error=10m",
})
class CacheStatusApiTest {

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("John"));

    @LocalServerPort
    int port;

    @Autowired
    VirtualTimeScheduler time;

    private WebTestClient.ResponseSpec get() {
        return OpenApiContract.client(port).get().uri("/users/1").header("Authorization", TestKeys.bearer()).exchange();
    }

    @Test
    void missThenHitThenStaleDuringAnOutageUntilTheNameIsTooOld() {
        get().expectStatus().isOk().expectHeader().valueEquals("Cache-Status", "namegate; fwd=miss; stored")
                .expectBody().jsonPath("$.name").isEqualTo("John");
        get().expectStatus().isOk().expectHeader().valueEquals("Cache-Status", "namegate; hit; ttl=2")
                .expectBody().jsonPath("$.name").isEqualTo("John");
        time.advanceTimeBy(Duration.ofSeconds(1));
        get().expectStatus().isOk().expectHeader().valueEquals("Cache-Status", "namegate; hit; ttl=1")
                .expectBody().jsonPath("$.name").isEqualTo("John");
        assertThat(upstream.requestCount()).isEqualTo(1);

        upstream.answerWith(request -> MockUpstream.status(500, "Internal error"));
        time.advanceTimeBy(Duration.ofSeconds(1)); // the 2 s TTL has passed
        get().expectStatus().isOk()
                .expectHeader().valueEquals("Cache-Status", "namegate; fwd=stale; fwd-status=502")
                .expectBody().jsonPath("$.name").isEqualTo("John");
        assertThat(upstream.requestCount()).as("it did ask, and the answer failed").isEqualTo(2);

        time.advanceTimeBy(Duration.ofMinutes(10)); // past stale-if-error
        get().expectStatus().isEqualTo(502)
                .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/upstream-failed");
        assertThat(upstream.requestCount()).isEqualTo(3);
    }
}
