package dev.namegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulatorSettingsTest {

    @Test
    void defaultsAreHealthyWithOneEphemeralInstance() {
        SimulatorSettings settings = SimulatorSettings.defaults();

        assertThat(settings.healthy()).isTrue();
        assertThat(settings.scenarios()).isEmpty();
        assertThat(settings.port()).isZero();
        assertThat(settings.instances()).isEqualTo(1);
        assertThat(settings.users()).isEqualTo(1000);
        assertThat(settings.rateLimit()).isEqualTo(100);
        assertThat(settings.rateBurst()).isEqualTo(100);
        assertThat(settings.slowDelay()).isEqualTo(Duration.ofMillis(150));
    }

    @Test
    void builderMethodsProduceNewInstances() {
        SimulatorSettings healthy = SimulatorSettings.defaults();

        SimulatorSettings flaky = healthy.toBuilder().flaky().build();

        assertThat(flaky.failRate()).isEqualTo(0.5);
        assertThat(healthy.failRate()).isZero();
    }

    @Test
    void scenarioMethodsKeepAnExplicitParameter() {
        SimulatorSettings before = SimulatorSettings.builder().failRate(0.3).slowFraction(0.2).flaky().slow().build();
        SimulatorSettings after = SimulatorSettings.builder().flaky().slow().failRate(0.3).slowFraction(0.2).build();

        assertThat(before).isEqualTo(after);
        assertThat(after.failRate()).isEqualTo(0.3);
        assertThat(after.slowFraction()).isEqualTo(0.2);
    }

    @Test
    void everyScenarioSwitchesItsModeOnWithItsDefault() {
        SimulatorSettings.Builder builder = SimulatorSettings.builder();
        for (SimulatorScenario scenario : SimulatorScenario.values()) {
            if (scenario != SimulatorScenario.HEALTHY) {
                scenario.applyTo(builder);
            }
        }
        SimulatorSettings all = builder.build();

        assertThat(all.scenarios())
                .containsExactly("flaky", "rate-limited", "slow", "bad-instances", "closing", "outage");
        assertThat(all.deadInstances()).isEqualTo(1);
        assertThat(all.closeFraction()).isEqualTo(0.5);
        // healthy keeps the address that can be dead (topology) but lets it serve
        assertThat(all.toBuilder().healthy().build().scenarios()).isEmpty();
        assertThat(all.toBuilder().healthy().build().deadInstances()).isEqualTo(1);
    }

    @Test
    void probabilitiesOutsideZeroToOneAreRejectedByName() {
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.builder().failRate(1.01).build())
                .withMessageContaining("failRate");
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.builder().slowFraction(-0.1).build())
                .withMessageContaining("slowFraction");
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.builder().closeFraction(Double.NaN).build())
                .withMessageContaining("closeFraction");
    }

    @Test
    void countsAndRatesMustBePositive() {
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.builder().instances(0).build())
                .withMessageContaining("instances");
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.builder().users(0).build())
                .withMessageContaining("users");
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.builder().deadInstances(-1).build())
                .withMessageContaining("deadInstances");
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.builder().badInstances(true).build())
                .withMessageContaining("badInstances needs deadInstances");
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.builder().rateLimit(0).build())
                .withMessageContaining("rateLimit");
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.builder().rateBurst(0).build())
                .withMessageContaining("rateBurst");
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.builder().port(70000).build())
                .withMessageContaining("port");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SimulatorSettings.builder().slowDelay(Duration.ofMillis(-1)).build())
                .withMessageContaining("slowDelay");
        assertThatNullPointerException().isThrownBy(() -> SimulatorSettings.builder().slowDelay(null).build());
    }
}
