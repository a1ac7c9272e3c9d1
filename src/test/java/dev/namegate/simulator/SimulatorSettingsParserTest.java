package dev.namegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatorSettingsParserTest {

    @Test
    void noArgumentsMeanTheHealthyDefaults() {
        assertThat(SimulatorSettingsParser.parseArgs()).isEqualTo(SimulatorSettings.defaults());
    }

    @Test
    void everyDocumentedArgumentIsParsed() {
        SimulatorSettings settings = SimulatorSettingsParser.parseArgs("--port=9090", "--instances=3",
                "--dead-instances=2", "--scenario=flaky,slow", "--fail-rate=0.3", "--rate-limit=50",
                "--rate-burst=2", "--retry-after=1", "--slow-fraction=0.25", "--slow-delay=40ms",
                "--close-fraction=0.1", "--users=20");

        assertThat(settings).isEqualTo(new SimulatorSettings(9090, 3, 2, 20, false, 0.3, true, 50, 2, 1, 0.25,
                Duration.ofMillis(40), 0.1, true));
    }

    @Test
    void deadInstancesStartDeadAndSwitchableInstancesStartServing() {
        SimulatorSettings dead = SimulatorSettingsParser.parseArgs("--scenario=bad-instances", "--dead-instances=3");
        SimulatorSettings serving = SimulatorSettingsParser.parseArgs("--scenario=healthy", "--switchable-instances=3");

        assertThat(dead.deadInstances()).isEqualTo(3);
        assertThat(dead.badInstances()).isTrue();
        assertThat(SimulatorSettingsParser.parseArgs("--dead-instances=2").badInstances()).isTrue();
        assertThat(serving.deadInstances()).isEqualTo(3);
        assertThat(serving.badInstances()).isFalse();
        assertThat(serving.healthy()).isTrue();
        assertThat(SimulatorSettingsParser.parseArgs("--scenario=bad-instances", "--switchable-instances=3"))
                .isEqualTo(dead);
        assertRejected("give one of them", "--dead-instances=1", "--switchable-instances=1");
    }

    @Test
    void aScenarioNameSwitchesItsModeOnWithDefaults() {
        SimulatorSettings settings = SimulatorSettingsParser.parseArgs("--scenario=flaky,rate-limited,slow,closing,outage");

        assertThat(settings.failRate()).isEqualTo(0.5);
        assertThat(settings.rateLimited()).isTrue();
        assertThat(settings.slowFraction()).isEqualTo(0.5);
        assertThat(settings.slowDelay()).isEqualTo(Duration.ofMillis(150));
        assertThat(settings.closeFraction()).isEqualTo(0.5);
        assertThat(settings.outage()).isTrue();
    }

    @Test
    void aModeParameterAloneSwitchesItsModeOn() {
        assertThat(SimulatorSettingsParser.parseArgs("--rate-burst=2").rateLimited()).isTrue();
        assertThat(SimulatorSettingsParser.parseArgs("--slow-delay=1s").slowFraction()).isEqualTo(0.5);
        assertThat(SimulatorSettingsParser.parseArgs("--slow-delay=PT0.25S").slowDelay()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void formattedSettingsParseBackToTheSameValue() {
        SimulatorSettings original = SimulatorSettingsParser.parseArgs("--scenario=flaky,rate-limited,slow,bad-instances",
                "--fail-rate=0.3", "--retry-after=2", "--slow-delay=PT0.0005S", "--dead-instances=3", "--users=7");

        SimulatorSettings again = SimulatorSettingsParser.parseArgs(
                SimulatorSettingsParser.format(original).toArray(String[]::new));

        assertThat(again).isEqualTo(original);
        assertThat(SimulatorSettingsParser.parseArgs(SimulatorSettingsParser.format(SimulatorSettings.defaults())
                .toArray(String[]::new))).isEqualTo(SimulatorSettings.defaults());
        SimulatorSettings serving = SimulatorSettingsParser.parseArgs("--scenario=flaky", "--switchable-instances=3");
        assertThat(SimulatorSettingsParser.format(serving)).contains("--switchable-instances=3");
        assertThat(SimulatorSettingsParser.parseArgs(SimulatorSettingsParser.format(serving).toArray(String[]::new)))
                .isEqualTo(serving);
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        assertRejected("unknown parameter", "--colour=blue");
        assertRejected("expected --name=value", "--fail-rate");
        assertRejected("expected --name=value", "fail-rate=0.3");
        assertRejected("unknown scenario", "--scenario=flaky,sloww");
        assertRejected("unknown scenario", "--scenario=");
        assertRejected("fail-rate must be a number", "--fail-rate=half");
        assertRejected("failRate must be in [0, 1]", "--fail-rate=1.5");
        assertRejected("port must be an integer", "--port=80.5");
        assertRejected("slow-delay must be a duration", "--slow-delay=150");
        assertRejected("given more than once", "--users=1", "--users=2");
        assertRejected("needs a value", "--users=");
        assertRejected("healthy cannot be combined", "--scenario=healthy,flaky");
        assertRejected("healthy cannot be combined", "--scenario=healthy", "--fail-rate=0.2");
        assertRejected("rateLimit must be", "--rate-limit=0");
    }

    @Test
    void runtimeParametersKeepTopologyAndUsersAndResetTheRest() {
        SimulatorSettings running = SimulatorSettingsParser.parseArgs("--instances=2", "--dead-instances=1",
                "--users=50", "--scenario=outage");

        SimulatorSettings next = SimulatorSettingsParser.parseRuntime(Map.of("scenario", "flaky", "fail-rate", "0.3"), running);

        assertThat(next).isEqualTo(running.toBuilder().outage(false).badInstances(false).failRate(0.3).build());
        assertThat(next.deadInstances()).isEqualTo(1);
        assertThat(SimulatorSettingsParser.parseRuntime(Map.of("scenario", "bad-instances"), next))
                .isEqualTo(next.toBuilder().failRate(0).badInstances(true).build());
    }

    @Test
    void runtimeParametersCannotChangeTopology() {
        SimulatorSettings running = SimulatorSettings.defaults();

        assertThatIllegalArgumentException()
                .isThrownBy(() -> SimulatorSettingsParser.parseRuntime(Map.of("port", "8080"), running))
                .withMessageContaining("port is fixed");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SimulatorSettingsParser.parseRuntime(Map.of("switchable-instances", "2"), running))
                .withMessageContaining("switchable-instances is fixed");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SimulatorSettingsParser.parseRuntime(Map.of("scenario", "bad-instances"), running))
                .withMessageContaining("start the simulator with --dead-instances=K or --switchable-instances=K");
    }

    private static void assertRejected(String message, String... args) {
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettingsParser.parseArgs(args))
                .withMessageContaining(message);
    }
}
