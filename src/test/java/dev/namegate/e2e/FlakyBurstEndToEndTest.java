package dev.namegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.namegate.simulator.SimulatedUsers;
import dev.namegate.testing.TestKeys;

/**
 * End to end against the simulator running as its own process (its documented command line):
 * a burst of concurrent requests on a flaky upstream, with unknown ids mixed in. Every request
 * gets the right name or the right problem; none is lost and none hangs; the simulator's
 * counters agree with what the service reports.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "namegate.cache.enabled=false",
        "namegate.overload.enabled=false",
        "namegate.warmup.lookups=8", "namegate.warmup.requests=8",
        // functional test on a noisy machine: generous timeouts; the 100 ms budget is benchmarked
        "namegate.upstream.connect-timeout=500ms",
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
        "namegate.upstream.pool.pending-acquire-timeout=1s",
        // this simulated internal service has no rate limit; the burst is far above 100/s
        "namegate.upstream.rate-limit.ceiling=100000",
})
class FlakyBurstEndToEndTest {

    static final int REQUESTS = 600;
    static final int USERS = 1000;
    static final SimulatorProcess simulator = SimulatorProcess.start(
            "--scenario=flaky,unknown-ids", "--fail-rate=0.5", "--users=" + USERS);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("namegate.upstream.base-urls", () -> String.join(",", simulator.baseUrls));
        registry.add("namegate.auth.keys-file", () -> TestKeys.keysFile().toString());
    }

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @AfterAll
    static void stop() {
        simulator.close();
    }

    record Answer(long id, int status, String contentType, String body) {
    }

    @Test
    void everyRequestOfAFlakyBurstGetsTheRightNameOrTheRightProblem() throws Exception {
        WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + port).build();
        // readiness waits for the warm-up lookups; counting starts after them
        client.get().uri("/readyz").retrieve().toBodilessEntity()
                .retryWhen(reactor.util.retry.Retry.fixedDelay(200, Duration.ofMillis(50)))
                .block(Duration.ofSeconds(15));
        simulator.post("/_sim/counters/reset");
        JsonMapper json = JsonMapper.builder().build();
        AtomicInteger answered = new AtomicInteger();

        List<Answer> answers = Flux.range(0, REQUESTS)
                .map(i -> i % 10 == 9 ? USERS + 1 + i : 1 + (i * 37L) % USERS) // one in ten unknown
                .flatMap(id -> client.get().uri("/users/{id}", id)
                        .header("Authorization", TestKeys.bearer())
                        .exchangeToMono(r -> r.bodyToMono(String.class).defaultIfEmpty("")
                                .map(body -> new Answer(id, r.statusCode().value(),
                                        String.valueOf(r.headers().contentType().orElse(null)), body)))
                        .timeout(Duration.ofSeconds(20))
                        .doOnNext(a -> answered.incrementAndGet()), 64)
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
        JsonNode counters = json.readTree(simulator.get("/_sim/counters"));
        long hedges = (long) meters.get("namegate.upstream.hedges.sent").counter().count();
        long attempts = counters.get("attempts").asLong();
        assertThat(counters.get("notFound").asLong()).isBetween((long) REQUESTS / 10, REQUESTS / 10 + hedges);
        assertThat(counters.get("ok").asLong()).isBetween(ok, ok + hedges);
        assertThat(attempts).isBetween((long) REQUESTS, (long) REQUESTS * 4);
    }

    /** The simulator as a child process, started with its documented command line. */
    static final class SimulatorProcess implements AutoCloseable {
        final Process process;
        final List<String> baseUrls;
        final HttpClient http = HttpClient.newHttpClient();

        private SimulatorProcess(Process process, List<String> baseUrls) {
            this.process = process;
            this.baseUrls = baseUrls;
        }

        static SimulatorProcess start(String... args) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                    "dev.namegate.simulator.SimulatorMain", "--port=0"));
            command.addAll(List.of(args));
            try {
                Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                if (line == null || !line.startsWith("SIMULATOR READY base-urls=")) {
                    process.destroyForcibly();
                    throw new IllegalStateException("simulator did not start: " + line);
                }
                return new SimulatorProcess(process, List.of(line.substring("SIMULATOR READY base-urls=".length()).split(",")));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        String get(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrls.get(0) + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }

        void post(String path) throws IOException, InterruptedException {
            http.send(HttpRequest.newBuilder(URI.create(baseUrls.get(0) + path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
