package dev.namegate.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The simulator's admin endpoints ({@code /_sim/...}) on its first, always-live base URL: counters,
 * their reset, and switching the failure mode of a running simulator. Works for a simulator
 * process and an embedded one alike.
 */
public final class SimulatorControl {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String baseUrl;
    // the simulator speaks HTTP/1.1: no h2c upgrade offered on each new connection
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** @param baseUrl the simulator's first base URL, e.g. {@code http://127.0.0.1:9090} */
    public SimulatorControl(String baseUrl) {
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    }

    public void resetCounters() throws IOException, InterruptedException {
        HttpResponse<Void> response = http.send(request("/_sim/counters/reset").POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("counter reset answered " + response.statusCode());
        }
    }

    public SimulatorCounters counters() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request("/_sim/counters").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("counters answered " + response.statusCode());
        }
        JsonNode root = JSON.readTree(response.body());
        Map<String, Long> counters = new LinkedHashMap<>();
        root.properties().forEach(entry -> {
            if (entry.getValue().isIntegralNumber()) {
                counters.put(entry.getKey(), entry.getValue().longValue());
            }
        });
        return SimulatorCounters.of(counters);
    }

    /**
     * Switches the running simulator to {@code scenario}'s failure mode; returns once the
     * simulator has (its addresses that can be dead are dead or live as asked).
     *
     * @return the simulator's settings as it reports them, one line
     * @throws IOException if the simulator refuses the switch
     */
    public String switchTo(Scenario scenario) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request("/_sim/scenario?" + scenario.switchQuery())
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("switching to " + scenario.name() + " answered " + response.statusCode() + ": "
                    + response.body().lines().findFirst().orElse(""));
        }
        return response.body().strip();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT);
    }
}
