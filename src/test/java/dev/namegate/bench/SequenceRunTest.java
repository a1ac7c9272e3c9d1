package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.namegate.simulator.InternalServiceSimulator;
import dev.namegate.simulator.SimulatedUsers;
import dev.namegate.simulator.SimulatorSettingsParser;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sequence's course against one embedded simulator with the benchmark's topology, loaded
 * directly (no service): the simulator stands in for the service, so the test sees every switch
 * in the answers and the counters.
 */
class SequenceRunTest {

    private InternalServiceSimulator simulator;

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }

    private final ResponseCheck internal = ResponseChecks.internalApi(Scenarios.USERS, SimulatedUsers::nameOf);
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    /** The sequence of {@code scenarios} on a fresh embedded simulator, with a direct row; the rows in order. */
    private List<Summary> run(String scenarios) throws Exception {
        simulator = InternalServiceSimulator.start(SimulatorSettingsParser.parseArgs(
                Scenarios.SIMULATOR_SETUP.toArray(String[]::new)));
        String first = simulator.liveBaseUrls().get(0);
        BenchOptions options = BenchOptions.parse("--scenarios=" + scenarios, "--rate=100",
                "--warmup=200ms", "--settle=200ms", "--duration=500ms");
        SequenceRun.Targets targets = new SequenceRun.Targets(Target.internal(first), null, scenario -> internal,
                Target.internal(simulator.liveBaseUrls().get(1)), internal, List.of());
        List<Summary> handedOver = new ArrayList<>();
        List<Summary> rows = new SequenceRun(options, new SimulatorControl(first), targets,
                new PrintStream(log, true, StandardCharsets.UTF_8)).run(handedOver::add);
        assertThat(handedOver).isEqualTo(rows);
        return rows;
    }

    @Test
    void eachScenarioIsMeasuredAfterItsSwitchBackToBackAndTheDirectRowAtTheEnd() throws Exception {
        List<Summary> rows = run("healthy,flaky,bad-instances,healthy");

        assertThat(rows).extracting(row -> row.scenario() + " " + row.mode()).containsExactly("healthy sequence",
                "flaky sequence", "bad-instances sequence", "healthy sequence", "healthy direct");
        for (Summary row : rows) {
            assertThat(row.requests()).as(row.scenario()).isEqualTo(50);
            // counters zeroed before each measured phase: exactly its own requests reached the simulator
            assertThat(row.upstreamAttempts()).as(row.scenario() + " " + row.mode()).isEqualTo(row.requests());
            assertThat(row.failed()).isZero();
            assertThat(row.cacheHitRatio()).isNaN();
        }
        // flaky answers half of the known ids with a 500, which the internal contract counts as wrong
        assertThat(rows.get(1).wrong()).isBetween(10L, 40L);
        assertThat(rows.get(0).wrong() + rows.get(2).wrong() + rows.get(3).wrong() + rows.get(4).wrong()).isZero();
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("switched to flaky: ", "--fail-rate=0.5");
        assertThat(text).contains("switched to bad-instances: ", "--dead-instances=3");
        assertThat(text).doesNotContain("switched back");
        // back to healthy: the three addresses serve again
        assertThat(simulator.settings().healthy()).isTrue();
        assertThat(simulator.settings().deadInstances()).isEqualTo(3);
    }

    @Test
    void aSequenceEndingInAFaultSwitchesBackToHealthyForTheDirectRow() throws Exception {
        List<Summary> rows = run("healthy,flaky");

        assertThat(rows).extracting(row -> row.scenario() + " " + row.mode()).containsExactly("healthy sequence",
                "flaky sequence", "healthy direct");
        assertThat(rows.get(2).wrong()).as("the direct row met a healthy simulator").isZero();
        assertThat(rows.get(2).requests()).isEqualTo(50);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("switched back to healthy for the direct row: ");
        assertThat(simulator.settings().healthy()).isTrue();
    }
}
