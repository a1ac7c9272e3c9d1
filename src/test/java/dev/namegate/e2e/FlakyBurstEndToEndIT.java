package dev.namegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.namegate.bench.SimulatorCounters;
import dev.namegate.bench.SimulatorProcess;
import dev.namegate.simulator.SimulatedUsers;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;

/**
 * End to end against the simulator running as its own process (its documented command line, from
 * the packaged jar: an integration test, after {@code package}): a burst of concurrent requests
 * on a flaky upstream, with unknown ids mixed in. Every request gets the right name or the right
 * problem; none is lost and none hangs; the simulator's counters agree with what the service
 * reports.
 */
@ServerTest
@TestPropertySource(properties = {
        "namegate.cache.enabled=false",
        "namegate.warmup.lookups=8", "namegate.warmup.requests=8", "namegate.warmup.probes=2", "namegate.warmup.drill-requests=0",
        // functional test on a noisy machine: generous timeouts; the 100 ms budget is benchmarked
        "namegate.upstream.connect-timeout=500ms",
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
        "namegate.upstream.pool.pending-acquire-timeout=1s",
        // this simulated internal service has no rate limit; the burst is far above 100/s
        "namegate.upstream.rate-limit.ceiling=100000",
})
class FlakyBurstEndToEndIT {

    static final int REQUESTS = 600;
    static final int USERS = 1000;
    private static SimulatorProcess simulator;

    @BeforeAll
    static void startSimulator() throws IOException, InterruptedException {
        Path logs = Files.createDirectories(Path.of("target", "flaky-burst-it"));
        simulator = SimulatorProcess.start(List.of(), Path.of("target", "namegate.jar"),
                List.of("--scenario=flaky,unknown-ids", "--fail-rate=0.5", "--users=" + USERS), logs.resolve("simulator.log"));
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("namegate.upstream.base-urls", () -> String.join(",", simulator.baseUrls()));
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @AfterAll
    static void stopSimulator() {
        if (simulator != null) {
            simulator.close();
        }
    }

    record Answer(long id, int status, String contentType, String body) {
    }

    @Test
    void everyRequestOfAFlakyBurstGetsTheRightNameOrTheRightProblem() throws Exception {
        WebClient client = OpenApiContract.webClient(port);
        // readiness waits for the warm-up lookups; counting starts after them
        client.get().uri("/readyz").retrieve().toBodilessEntity()
                .retryWhen(Retry.fixedDelay(200, Duration.ofMillis(50)))
                .block(Duration.ofSeconds(15));
        simulator.control().resetCounters();
        JsonMapper json = JsonMapper.builder().build();

        List<Answer> answers = Flux.range(0, REQUESTS)
                .map(i -> i % 10 == 9 ? USERS + 1 + i : 1 + (i * 37L) % USERS) // one in ten unknown
                .flatMap(id -> client.get().uri("/users/{id}", id)
                        .header("Authorization", TestKeys.bearer())
                        .exchangeToMono(r -> r.bodyToMono(String.class).defaultIfEmpty("")
                                .map(body -> new Answer(id, r.statusCode().value(),
                                        String.valueOf(r.headers().contentType().orElse(null)), body)))
                        .timeout(Duration.ofSeconds(20)), 64)
                .collectList()
                .block(Duration.ofSeconds(120));
        assertThat(answers).hasSize(REQUESTS);
        Map<Integer, Integer> byStatus = new ConcurrentHashMap<>();
        for (Answer a : answers) {
            byStatus.merge(a.status(), 1, Integer::sum);
            if (a.id() > USERS) {
                assertThat(a.status()).as("unknown id %d", a.id()).isEqualTo(404);
                assertThat(a.contentType()).isEqualTo("application/problem+json");
                assertThat(a.body()).contains("https://namegate.dev/problems/user-not-found");
            } else if (a.status() == 200) {
                JsonNode node = json.readTree(a.body());
                assertThat(node.get("id").asLong()).isEqualTo(a.id());
                assertThat(node.get("name").asString()).isEqualTo(SimulatedUsers.nameOf(a.id()));
            } else {
                // 50% failures, 8 retries: exhausting them is rare but legitimate; it must be a problem
                assertThat(a.status()).as("id %d", a.id()).isIn(502, 503, 504);
                assertThat(a.contentType()).isEqualTo("application/problem+json");
            }
        }
        // a burst at 64 concurrent requests on two cores is harsh; the retry budget may refuse a
        // few retries (503) to protect the upstream, but most requests must get their name
        long ok = answers.stream().filter(a -> a.status() == 200).count();
        assertThat(ok).as("by status %s", byStatus).isGreaterThanOrEqualTo((long) (REQUESTS * 0.9 * 0.85));

        // the simulator saw the attempts the service made: one per unknown id, unless a hedge
        // went too (on a loaded machine a hedge may fire before a 404 arrives)
        SimulatorCounters counters = simulator.control().counters();
        long hedges = (long) meters.get("namegate.upstream.hedges.sent").counter().count();
        assertThat(counters.all().get("notFound")).isBetween((long) REQUESTS / 10, REQUESTS / 10 + hedges);
        assertThat(counters.all().get("ok")).isBetween(ok, ok + hedges);
        // at 50 % failures a known id takes two attempts on average: four per request would be a retry storm
        assertThat(counters.attempts()).isBetween((long) REQUESTS, (long) REQUESTS * 4);
    }
}
