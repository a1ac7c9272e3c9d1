package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;
import dev.namegate.testing.VirtualTime;

/**
 * The deadline bounds everything: an internal service that never answers gets a 504 at the
 * deadline, however many attempts were allowed. On virtual time, moved by the test: the attempts
 * time out at their own limit (20 s here), retries wait exactly their backoff (1 s), and the
 * deadline (50 s) cuts the third attempt. Netty's own timeouts are set beyond any test's length.
 */
@ServerTest
@Import(VirtualTime.class)
@TestPropertySource(properties = {
        "namegate.cache.enabled=false",
        // the retries and the deadline alone; the guards have their own tests
        "namegate.upstream.hedging.enabled=false",
        "namegate.upstream.breaker.enabled=false",
        "namegate.upstream.rate-limit.enabled=false",
        "namegate.upstream.connect-timeout=1s",
        "namegate.upstream.response-timeout=19s",
        "namegate.upstream.attempt-timeout=20s",
        "namegate.upstream.deadline=50s",
        "namegate.upstream.backoff.base=1s", "namegate.upstream.backoff.cap=1s", "namegate.upstream.backoff.jitter=false",
        "namegate.upstream.allowances.response-timeouts=10",
        "namegate.upstream.pool.pending-acquire-timeout=1s",
})
class DeadlineTest {

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("Late"));

    @LocalServerPort
    int port;

    @Autowired
    VirtualTimeScheduler time;

    @Test
    void aSilentInternalServiceIsCutOffAtTheDeadlineWith504() throws Exception {
        upstream.holdAnswers();
        try (LogCapture failures = LogCapture.of("dev.namegate.api.failures")) {
            CompletableFuture<EntityExchangeResult<byte[]>> answer = CompletableFuture.supplyAsync(() ->
                    OpenApiContract.client(port).get().uri("/users/1").header("Authorization", TestKeys.bearer())
                            .header("X-Request-Id", "late-1")
                            .exchange().expectBody().returnResult());

            upstream.awaitRequests(1);
            time.advanceTimeBy(Duration.ofSeconds(20)); // the first attempt times out
            time.advanceTimeBy(Duration.ofSeconds(1)); // its backoff: the second goes
            upstream.awaitRequests(2);
            time.advanceTimeBy(Duration.ofSeconds(20));
            time.advanceTimeBy(Duration.ofSeconds(1));
            upstream.awaitRequests(3);
            time.advanceTimeBy(Duration.ofSeconds(8).minusMillis(1));
            assertThat(answer).as("still waiting a moment before the deadline").isNotDone();
            time.advanceTimeBy(Duration.ofMillis(1)); // 50 s: the deadline

            EntityExchangeResult<byte[]> result = answer.get(10, TimeUnit.SECONDS);
            assertThat(result.getStatus().value()).isEqualTo(504);
            assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(new String(result.getResponseBody())).contains("\"type\":\"https://namegate.dev/problems/deadline-exceeded\"");
            String requestId = result.getResponseHeaders().getFirst("X-Request-Id");
            // at DEBUG, one line says where the deadline caught the lookup
            assertThat(failures.messages()).containsExactly("lookup failed (DEADLINE): deadline expired after 2 retries,"
                    + " last: attempt timeout [request=" + requestId + "]");
            // the caller's own id rides along as a field of its own, never as the id of record
            assertThat(failures.events().get(0).getKeyValuePairs()).extracting(pair -> pair.key + "=" + pair.value)
                    .containsExactly("requestId=" + requestId, "correlationId=late-1");
        }
        assertThat(upstream.requestCount()).isEqualTo(3);
    }
}
