package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.namegate.simulator.InternalServiceSimulator;
import dev.namegate.simulator.SimulatedUsers;
import dev.namegate.simulator.SimulatorSettings;

/** The baselines of the closed loop: NaiveProxy passes every ask on, and with its cache only an id's first. */
class NaiveProxyIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void withoutItsCacheEveryAskReachesTheInternalService() throws Exception {
        assertThat(upstreamAttemptsForThreeAsksOfOneId(false)).isEqualTo(3);
    }

    @Test
    void withItsCacheARepeatedIdIsAnsweredFromMemoryWithTheSameBody() throws Exception {
        assertThat(upstreamAttemptsForThreeAsksOfOneId(true)).isEqualTo(1);
    }

    private long upstreamAttemptsForThreeAsksOfOneId(boolean cache) throws Exception {
        try (InternalServiceSimulator simulator = InternalServiceSimulator.start(SimulatorSettings.defaults());
                NaiveProxy.Running proxy = NaiveProxy.start(List.of(), simulator.baseUrls().get(0), cache, List.of(),
                        dir.resolve("naive.log"))) {
            for (int ask = 0; ask < 3; ask++) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(proxy.baseUrl() + "/users/5"))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());

                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo("{\"id\":5,\"name\":\"O'Brien \\\"the \\\\ backslash\\\"\"}");
            }
            assertThat(SimulatedUsers.nameOf(5)).isEqualTo("O'Brien \"the \\ backslash\"");
            return simulator.counters().attempts();
        }
    }
}
