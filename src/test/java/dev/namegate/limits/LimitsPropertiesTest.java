package dev.namegate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.namegate.audit.AuditLog;
import dev.namegate.time.TimeConfiguration;

/** The quota's memory bounds are checked at start-up, naming the property. */
class LimitsPropertiesTest {

    @EnableConfigurationProperties(LimitsProperties.class)
    static class LimitsSettingsOnly {
    }

    private final ApplicationContextRunner limits = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(LimitsSettingsOnly.class);

    @Test
    void theDefaultsHoldFiftyClientsAtTheDefaultQuota() {
        limits.run(context -> {
            LimitsProperties.Quota quota = context.getBean(LimitsProperties.class).quota();
            assertThat(quota.maxTrackedIds() / quota.idsPerDay()).isEqualTo(50);
        });
    }

    @Test
    void aReplicaBoundWhoseWorstCaseExceedsAQuarterOfTheHeapStopsTheStart() {
        limits.withUserConfiguration(TimeConfiguration.class, LimitsConfiguration.class)
                .withBean(AuditLog.class, () -> new AuditLog(Clock.systemUTC()))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("namegate.limits.quota.max-tracked-ids=100000000000")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("namegate.limits.quota.max-tracked-ids (100000000000)")
                        .hasMessageContaining("of the maximum heap"));
    }

    @Test
    void aQuotaAboveAMillionIdsPerDayStopsTheStart() {
        limits.withPropertyValues("namegate.limits.quota.ids-per-day=999999999", "namegate.limits.quota.max-tracked-ids=2000000000")
                .run(context -> assertThat(context.getStartupFailure()).hasStackTraceContaining("quota.idsPerDay"));
    }

    @Test
    void aReplicaBoundBelowOneClientsQuotaStopsTheStart() {
        limits.withPropertyValues("namegate.limits.quota.max-tracked-ids=5000")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("namegate.limits.quota.max-tracked-ids")
                        .hasMessageContaining("namegate.limits.quota.ids-per-day"));
    }
}
