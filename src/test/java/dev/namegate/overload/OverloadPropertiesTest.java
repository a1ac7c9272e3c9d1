package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;

/** The overload settings are checked for consistency at start-up, naming the property. */
class OverloadPropertiesTest {

    @EnableConfigurationProperties(OverloadProperties.class)
    static class OverloadOnly {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(OverloadOnly.class);

    @Test
    void theDefaultsAreConsistent() {
        context.run(started -> {
            assertThat(started).hasNotFailed();
            OverloadProperties defaults = started.getBean(OverloadProperties.class);
            assertThat(defaults.refuseNewcomersAfter()).isLessThanOrEqualTo(defaults.shedQueueTime());
            assertThat(defaults.refuseNewcomersFor()).isPositive();
            assertThat(defaults.limitFloorTime()).isPositive().isLessThan(defaults.shedQueueTime());
            assertThat(defaults.limitStartTime()).isPositive().isLessThan(defaults.shedMinTimeInProgress());
            assertThat(defaults.shedMinTimeInProgress()).isPositive();
        });
    }

    @ParameterizedTest
    @CsvSource({
            "refuse-newcomers-after=60ms, refuse-newcomers-after",
            "refuse-newcomers-after=0ms, refuse-newcomers-after",
            "refuse-newcomers-for=0ms, refuse-newcomers-for",
            "refuse-again-after=-1ms, refuse-again-after",
            "closed-loop-within=-1ms, closed-loop-within",
            "closed-loop-queue-time=19ms, closed-loop-queue-time",
            "refuse-newcomers-share=1.5, refuseNewcomersShare",
            "refuse-newcomers-share=-0.1, refuseNewcomersShare",
            "shed-queue-time=5ms, refuse-newcomers-after",
            "lag-threshold=2ms, lag-threshold",
            "hold=5ms, hold",
            "limit-floor-time=-1ms, limit-floor-time",
            "limit-floor-time=50ms, limit-floor-time",
            "limit-start-time=-1ms, limit-start-time",
            "limit-start-time=50ms, limit-start-time",
            "shed-min-time-in-progress=-1ms, shed-min-time-in-progress",
    })
    void anInconsistentSettingStopsTheStartNamingIt(String setting, String named) {
        context.withPropertyValues("namegate.overload." + setting)
                .run(started -> assertThat(started.getStartupFailure()).hasStackTraceContaining(named));
    }
}
