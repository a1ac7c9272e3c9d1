package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UserLookup;

/**
 * The breaker over attempts: it opens when nearly every attempt fails, refuses without calling
 * the internal service while open, lets probes through after its open time, and closes when they
 * succeed. The client runs on virtual time, moved by hand; the network is real.
 */
class CircuitBreakerTest {

    private final AtomicBoolean failing = new AtomicBoolean(true);
    private final MockWebServer upstream = new MockWebServer();
    /** The client's one clock, moved by the test: it times the breaker's open state. */
    private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    private TestUpstream test;

    private void start() throws IOException {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return failing.get() ? new MockResponse.Builder().code(500).body("Internal error").build()
                        : new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                                .body("{\"name\":\"John\"}").build();
            }
        });
        upstream.start();
        test = new TestUpstream(Map.ofEntries(
                Map.entry("base-urls", "http://127.0.0.1:" + upstream.getPort()),
                Map.entry("connect-timeout", "1s"), Map.entry("response-timeout", "2s"),
                Map.entry("attempt-timeout", "3s"), Map.entry("deadline", "5s"),
                Map.entry("pool.pending-acquire-timeout", "1s"),
                Map.entry("allowances.statuses", "0"), // one attempt per lookup: easy to count
                Map.entry("budget.enabled", "false"), Map.entry("hedging.enabled", "false"),
                Map.entry("rate-limit.enabled", "false"),
                Map.entry("breaker.window", "10"), Map.entry("breaker.minimum-attempts", "5"),
                Map.entry("breaker.failure-rate-threshold", "90"), Map.entry("breaker.open-for", "2s"),
                Map.entry("breaker.probes", "2")), clock, OwnLoad.NONE);
    }

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
        upstream.close();
        clock.dispose();
    }

    private void expectFailure(UpstreamFailure.Kind kind, String reason) {
        StepVerifier.create(test.client.lookup(1, "req", "0af7651916cd43dd8448eb211c80319c"))
                .expectErrorSatisfies(e -> {
                    assertThat(((UpstreamFailure) e).kind()).isEqualTo(kind);
                    assertThat(((UpstreamFailure) e).reason()).contains(reason);
                })
                .verify(Duration.ofSeconds(10));
    }

    private double breakerState(String state) {
        return test.meters.get("namegate.upstream.breaker.state").tag("state", state).gauge().value();
    }

    private void expectJohn() {
        StepVerifier.create(test.client.lookup(1, "req", "0af7651916cd43dd8448eb211c80319c"))
                .expectNextMatches(found -> found instanceof UserLookup.Found f && f.name().equals("John"))
                .verifyComplete();
    }

    @Test
    void opensOnFailuresRefusesWhileOpenProbesAndClosesOnRecovery() throws IOException {
        start();
        for (int i = 0; i < 5; i++) {
            expectFailure(UpstreamFailure.Kind.FAILED, "status 500");
        }
        assertThat(upstream.getRequestCount()).isEqualTo(5);

        // open: refused at once, the internal service is not called, and the 503 says when to come back
        StepVerifier.create(test.client.lookup(1, "req", "0af7651916cd43dd8448eb211c80319c"))
                .expectErrorSatisfies(e -> {
                    assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.UNAVAILABLE);
                    assertThat(((UpstreamFailure) e).reason()).contains("circuit breaker open");
                    assertThat(((UpstreamFailure) e).retryAfter()).isEqualTo(Duration.ofSeconds(2));
                })
                .verify(Duration.ofSeconds(10));
        assertThat(upstream.getRequestCount()).isEqualTo(5);
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open")).isEqualTo(1);
        assertThat(breakerState("open")).isEqualTo(1);
        assertThat(breakerState("closed")).isZero();

        // after the open time, probes go through; the internal service has recovered
        clock.advanceTimeBy(Duration.ofMillis(2001));
        failing.set(false);
        expectJohn();
        expectJohn();
        assertThat(upstream.getRequestCount()).isEqualTo(7);
        assertThat(breakerState("closed")).isEqualTo(1);
        assertThat(breakerState("open")).isZero();
        assertThat(test.meters.get("namegate.upstream.breaker.state").gauges()).as("one series per state")
                .hasSize(CircuitBreaker.State.values().length);
        expectJohn();
    }

    @Test
    void aFailedProbeOpensItAgain() throws IOException {
        start();
        for (int i = 0; i < 5; i++) {
            expectFailure(UpstreamFailure.Kind.FAILED, "status 500");
        }
        clock.advanceTimeBy(Duration.ofMillis(2001));
        expectFailure(UpstreamFailure.Kind.FAILED, "status 500"); // a probe, still failing
        expectFailure(UpstreamFailure.Kind.FAILED, "status 500"); // the second probe
        expectFailure(UpstreamFailure.Kind.UNAVAILABLE, "circuit breaker open");
        assertThat(upstream.getRequestCount()).isEqualTo(7);
    }

    @Test
    void aFlakyUpstreamDoesNotOpenIt() throws IOException {
        start();
        for (int i = 0; i < 40; i++) {
            failing.set(i % 2 == 0);
            StepVerifier.create(test.client.lookup(1, "req", "0af7651916cd43dd8448eb211c80319c").onErrorResume(e -> reactor.core.publisher.Mono.empty()))
                    .thenConsumeWhile(x -> true).verifyComplete();
        }
        assertThat(upstream.getRequestCount()).isEqualTo(40);
        assertThat(test.counter("namegate.upstream.refusals", "reason", "breaker_open")).isZero();
    }
}
