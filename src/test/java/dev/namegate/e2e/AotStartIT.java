package dev.namegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

import dev.namegate.bench.ServiceProcess;
import dev.namegate.bench.SimulatorProcess;
import dev.namegate.simulator.SimulatedUsers;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.TestKeys;

/**
 * The packaged jar started the way {@code make run} and the Deployment start it, with Spring AOT's
 * build-time bean definitions ({@code -Dspring.aot.enabled=true}): it must answer like the
 * ordinary start, and settings that switch a feature off must still do so at run time (AOT fixes
 * which beans exist when the jar is built). Runs after {@code package} ({@code make test} = verify).
 */
class AotStartIT {

    private static final Path JAR = Path.of("target", "namegate.jar");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path logs;
    private static SimulatorProcess simulator;

    @BeforeAll
    static void startSimulator() throws IOException, InterruptedException {
        logs = Files.createDirectories(Path.of("target", "aot-it"));
        simulator = SimulatorProcess.start(List.of(), JAR, List.of("--scenario=healthy"), logs.resolve("simulator.log"));
    }

    @AfterAll
    static void stopSimulator() {
        if (simulator != null) {
            simulator.close();
        }
    }

    /**
     * A functional test on a machine that may be busy: generous timeouts (they are bound at run
     * time, AOT or not), so a slow start does not turn a name into a 504; the 100 ms budget is the
     * benchmarks'.
     */
    private static final List<String> GENEROUS_TIMEOUTS = List.of("--namegate.upstream.connect-timeout=500ms",
            "--namegate.upstream.response-timeout=1s", "--namegate.upstream.attempt-timeout=1500ms",
            "--namegate.upstream.deadline=5s", "--namegate.upstream.pool.pending-acquire-timeout=1s");

    private static ServiceProcess start(String name, String... serviceArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(GENEROUS_TIMEOUTS);
        args.addAll(List.of(serviceArgs));
        // a short overload drill: its beans and code under AOT, not its length
        args.add("--namegate.warmup.drill-requests=300");
        return ServiceProcess.start(List.of(), JAR, simulator.baseUrls(), TestKeys.keysFile(), logs.resolve(name + ".log"),
                args, List.of("-Dspring.aot.enabled=true"));
    }

    private static HttpResponse<String> get(String url, boolean authorized) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (authorized) {
            request.header("Authorization", TestKeys.bearer());
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        OpenApiContract.check("GET", URI.create(url).getRawPath(), response.statusCode(), response.headers().map(),
                response.body().getBytes(StandardCharsets.UTF_8));
        return response;
    }

    @Test
    void theAotStartAnswersNamesAndProblemsAndProbesTheEventLoops() throws Exception {
        try (ServiceProcess service = start("aot")) {
            assertThat(Files.readString(logs.resolve("aot.log"))).as("Spring used the build-time definitions")
                    .contains("Starting AOT-processed NamegateApplication");

            HttpResponse<String> known = get(service.baseUrl() + "/users/42", true);
            assertThat(known.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(known.body()).get("name").asString()).isEqualTo(SimulatedUsers.nameOf(42));

            HttpResponse<String> anonymous = get(service.baseUrl() + "/users/42", false);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");

            String metrics = get(service.managementUrl() + "/actuator/prometheus", false).body();
            assertThat(metrics).contains("namegate_overload_event_loop_lag_seconds");
            // answered ahead of the dispatcher, still timed under the route's pattern
            assertThat(metrics).containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"200\"[^}]*uri=\"/users/\\{id\\}\"");
        }
    }

    @Test
    void aFeatureSwitchedOffByASettingStaysOffUnderAot() throws Exception {
        try (ServiceProcess service = start("aot-overload-off", "--namegate.overload.enabled=false")) {
            assertThat(JSON.readTree(get(service.baseUrl() + "/users/7", true).body()).get("name").asString())
                    .isEqualTo(SimulatedUsers.nameOf(7));
            assertThat(get(service.managementUrl() + "/actuator/prometheus", false).body())
                    .as("no probe without the overload guard")
                    .doesNotContain("namegate_overload_event_loop_lag_seconds");
        }
    }
}
