package dev.namegate.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;

/** The server's read timeouts have a sane range, checked at start-up naming the property. */
class ServerLimitsPropertiesTest {

    @EnableConfigurationProperties(ServerLimitsProperties.class)
    static class ServerLimitsOnly {
    }

    private final ApplicationContextRunner server = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(ServerLimitsOnly.class);

    @ParameterizedTest
    @CsvSource({ "request-head-timeout, requestHeadTimeout", "request-body-timeout, requestBodyTimeout" })
    void aReadTimeoutUpToTenMinutesIsTakenAndALongerOneStopsTheStart(String property, String field) {
        server.withPropertyValues("namegate.server." + property + "=10m")
                .run(context -> assertThat(context).hasNotFailed());
        server.withPropertyValues("namegate.server." + property + "=11m")
                .run(context -> assertThat(context.getStartupFailure()).hasStackTraceContaining(field));
    }

    @Test
    void anIdleTimeoutUpToAnHourIsTakenAndNoneOrALongerOneStopsTheStart() {
        server.withPropertyValues("namegate.server.idle-timeout=1h")
                .run(context -> assertThat(context).hasNotFailed());
        server.withPropertyValues("namegate.server.idle-timeout=61m")
                .run(context -> assertThat(context.getStartupFailure()).hasStackTraceContaining("idleTimeout"));
        server.withPropertyValues("namegate.server.idle-timeout=0s")
                .run(context -> assertThat(context.getStartupFailure()).hasStackTraceContaining("idleTimeout"));
    }
}
