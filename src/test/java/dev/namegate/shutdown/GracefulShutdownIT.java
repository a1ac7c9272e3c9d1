package dev.namegate.shutdown;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import org.springframework.boot.convert.DurationStyle;

import dev.namegate.NamegateApplication;
import dev.namegate.bench.SimulatorProcess;
import dev.namegate.simulator.SimulatedUsers;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.TestKeys;

/**
 * What the Deployment relies on between the preStop pause and the kubelet's SIGKILL: on
 * SIGTERM, requests already in flight get their normal answers, and the process exits within
 * Spring's shutdown phase (spring.lifecycle.timeout-per-shutdown-phase), well inside
 * terminationGracePeriodSeconds.
 */
class GracefulShutdownIT {

    static final int IN_FLIGHT = 16;
    static final Duration UPSTREAM_DELAY = Duration.ofMillis(1500);

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    final List<Process> processes = new ArrayList<>();
    private SimulatorProcess simulator;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    void requestsInFlightAtSigtermGetTheirAnswersAndTheProcessExitsWithinTheShutdownPhase() throws Exception {
        String simulatorUrl = startSimulator();
        int port = freePort();
        Path log = Files.createDirectories(Path.of("target")).resolve("graceful-shutdown-test.log");
        ProcessBuilder pb = new ProcessBuilder(java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), NamegateApplication.class.getName(),
                // slow but successful upstream answers: generous timeouts
                "--namegate.upstream.response-timeout=3s", "--namegate.upstream.attempt-timeout=4s",
                "--namegate.upstream.deadline=5s", "--namegate.upstream.pool.pending-acquire-timeout=2s",
                "--namegate.warmup.lookups=4", "--namegate.warmup.requests=4", "--namegate.warmup.probes=2", "--namegate.warmup.drill-requests=20",
                // one upstream attempt per request, so counting attempts counts requests in flight
                "--namegate.upstream.hedging.enabled=false", "--namegate.cache.enabled=false",
                "--namegate.overload.enabled=false")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("INTERNAL_BASE_URL", simulatorUrl, "API_KEYS_FILE", TestKeys.keysFile().toString(),
                "SERVER_PORT", String.valueOf(port), "MANAGEMENT_SERVER_PORT", "0"));
        Process service = track(pb.start());
        String base = "http://127.0.0.1:" + port;
        awaitReady(base, service);

        // from now on every upstream answer takes 1.5 s
        send(HttpRequest.newBuilder(URI.create(simulatorUrl + "/_sim/scenario?scenario=slow&slow-fraction=1&slow-delay="
                + UPSTREAM_DELAY.toMillis() + "ms")).PUT(HttpRequest.BodyPublishers.noBody()).build());
        // counted from before the requests leave, so none of their attempts can be missed
        simulator.control().resetCounters();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int id = 1; id <= IN_FLIGHT; id++) {
            answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/users/" + id))
                    .header("Authorization", TestKeys.bearer()).header("Accept", "text/plain")
                    .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        awaitUpstreamAttempts(IN_FLIGHT); // all of them are waiting on the upstream now

        long sigterm = System.nanoTime();
        service.destroy(); // SIGTERM, as the kubelet sends after the preStop pause
        assertThat(service.waitFor(shutdownPhase().plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS))
                .as("exited within the shutdown phase + margin; log in %s", log).isTrue();
        Duration exitAfter = Duration.ofNanos(System.nanoTime() - sigterm);

        for (int id = 1; id <= IN_FLIGHT; id++) {
            HttpResponse<String> answer = answers.get(id - 1).get(5, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as("id %d", id).isEqualTo(200);
            OpenApiContract.check("GET", "/users/" + id, answer.statusCode(), answer.headers().map(),
                    answer.body().getBytes(StandardCharsets.UTF_8));
            assertThat(answer.body()).isEqualTo(SimulatedUsers.nameOf(id));
        }
        // 128 + 15: the JVM ends on SIGTERM once its shutdown hooks (Spring's graceful shutdown) have run
        assertThat(service.exitValue()).isEqualTo(143);
        assertThat(exitAfter).as("waited for the in-flight answers, not killed at once")
                .isGreaterThan(UPSTREAM_DELAY.dividedBy(2)).isLessThan(shutdownPhase());
    }

    private String startSimulator() throws IOException, InterruptedException {
        simulator = SimulatorProcess.start(List.of(), Path.of("target", "namegate.jar"), List.of("--scenario=healthy"),
                Path.of("target", "graceful-shutdown-simulator.log"));
        return simulator.firstBaseUrl();
    }

    private void awaitReady(String base, Process service) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && service.isAlive()) {
            try {
                if (send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep polling
            }
            Thread.sleep(100);
        }
        throw new AssertionError("service not ready; see target/graceful-shutdown-test.log");
    }

    private void awaitUpstreamAttempts(int n) throws Exception {
        long deadline = System.nanoTime() + UPSTREAM_DELAY.toNanos();
        while (System.nanoTime() < deadline) {
            if (simulator.control().counters().attempts() >= n) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("requests did not reach the upstream in time");
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private Process track(Process p) {
        processes.add(p);
        return p;
    }

    private static Duration shutdownPhase() throws IOException {
        Map<String, Object> app = new Yaml().load(Files.readString(Path.of("src/main/resources/application.yaml")));
        @SuppressWarnings("unchecked")
        Map<String, Object> lifecycle = (Map<String, Object>) ((Map<String, Object>) app.get("spring")).get("lifecycle");
        return DurationStyle.detectAndParse((String) lifecycle.get("timeout-per-shutdown-phase"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
