package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.namegate.simulator.InternalServiceSimulator;
import dev.namegate.simulator.SimulatorSettings;

/** On real time: the drill is a timer sending real requests to a simulator in this JVM. */
class SimulatorControlDrillTest {

    private static final Duration OFTEN = Duration.ofMillis(20);

    @Test
    void eachRoundResetsTheSimulatorsCountersAndReadsThem() throws Exception {
        try (InternalServiceSimulator simulator = InternalServiceSimulator.start(SimulatorSettings.defaults())) {
            String baseUrl = simulator.baseUrls().get(0);
            SimulatorControl control = new SimulatorControl(baseUrl);
            HttpResponse<Void> lookup = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/5"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(lookup.statusCode()).isEqualTo(200);
            assertThat(control.counters().attempts()).isEqualTo(1);

            try (SimulatorControlDrill drill = SimulatorControlDrill.start(control, OFTEN)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> drill.rounds() >= 3);
                assertThat(drill.failures()).isZero();
            }

            assertThat(control.counters().attempts()).as("reset by the drill, its own requests not counted").isZero();
        }
    }

    @Test
    void aSimulatorThatDoesNotAnswerFailsTheDrillsRoundsAndNothingElse() throws Exception {
        // nothing listens on port 1 of loopback: every round is refused at once
        try (SimulatorControlDrill drill = SimulatorControlDrill.start(new SimulatorControl("http://127.0.0.1:1"), OFTEN)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> drill.failures() >= 2);
            assertThat(drill.rounds()).isZero();
        }
    }
}
