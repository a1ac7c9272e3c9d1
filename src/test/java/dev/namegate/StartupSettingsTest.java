package dev.namegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import dev.namegate.upstream.UpstreamProperties;

/** The service refuses to start on missing or inconsistent settings, naming what is wrong. */
class StartupSettingsTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(UpstreamProperties.class)
    static class UpstreamSettingsOnly {
    }

    private final ApplicationContextRunner upstream = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(UpstreamSettingsOnly.class)
            .withPropertyValues("namegate.upstream.base-urls=http://127.0.0.1:9");

    @Test
    void refusesToStartWithoutBaseUrlAndKeysFileNamingBoth() {
        assertThatThrownBy(() -> NamegateApplication.application().run("--spring.main.web-application-type=none"))
                .isInstanceOf(RequiredSettings.MissingSettingsException.class)
                .hasMessageContaining("INTERNAL_BASE_URL")
                .hasMessageContaining("API_KEYS_FILE");
    }

    @Test
    void missingSettingsAreExplainedWithoutAStackTrace() {
        var missing = new RequiredSettings.MissingSettingsException(java.util.List.of("INTERNAL_BASE_URL (x)"));
        FailureAnalysis analysis = new MissingSettingsFailureAnalyzer().analyze(missing);
        assertThat(analysis.getDescription()).contains("INTERNAL_BASE_URL");
        assertThat(analysis.getAction()).contains("make run");
    }

    @Test
    void defaultsFitTheHundredMillisecondBudget() {
        upstream.run(context -> {
            assertThat(context).hasNotFailed();
            UpstreamProperties p = context.getBean(UpstreamProperties.class);
            assertThat(p.connectTimeout().toMillis()).isEqualTo(5);
            assertThat(p.responseTimeout().toMillis()).isEqualTo(25);
            assertThat(p.deadline().toMillis()).isEqualTo(90);
            assertThat(p.allowances().connectFailures()).isEqualTo(10);
            assertThat(p.allowances().responseTimeouts()).isEqualTo(3);
            assertThat(p.allowances().connectionsClosed()).isEqualTo(3);
            assertThat(p.allowances().statuses()).isEqualTo(8);
            assertThat(p.pool().maxIdleTime()).hasSeconds(55);
            assertThat(p.pool().evictionInterval()).hasSeconds(10);
            assertThat(p.pool().leasing()).isEqualTo(UpstreamProperties.Leasing.LIFO);
            assertThat(p.rateLimit().releaseAfter()).hasSeconds(30);
        });
    }

    @Test
    void aRateLimitReleasedNoLaterThanItsPlateauIsForgottenStopsTheStartNamingBoth() {
        upstream.withPropertyValues("namegate.upstream.rate-limit.forget-after=3s",
                        "namegate.upstream.rate-limit.release-after=3s")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("namegate.upstream.rate-limit.release-after")
                        .hasMessageContaining("namegate.upstream.rate-limit.forget-after"));
    }

    @Test
    void aPoolIdleTimeOfZeroStopsTheStartNamingTheProperty() {
        upstream.withPropertyValues("namegate.upstream.pool.max-idle-time=0s")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("namegate.upstream.pool.max-idle-time"));
    }

    @Test
    void aPoolEvictionIntervalOfZeroStopsTheStartNamingTheProperty() {
        upstream.withPropertyValues("namegate.upstream.pool.eviction-interval=0s")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("namegate.upstream.pool.eviction-interval"));
    }

    @Test
    void aPerAttemptTimeoutLongerThanTheDeadlineStopsTheStartNamingTheProperty() {
        upstream.withPropertyValues("namegate.upstream.attempt-timeout=200ms", "namegate.upstream.response-timeout=150ms")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .hasMessageContaining("namegate.upstream.attempt-timeout")
                            .hasMessageContaining("namegate.upstream.deadline");
                });
    }

    @Test
    void aBackoffCapBeyondTheDeadlineStopsTheStart() {
        upstream.withPropertyValues("namegate.upstream.backoff.cap=1s")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("namegate.upstream.backoff.cap"));
    }

    @Test
    void constraintAnnotationsAreEnforced() {
        upstream.withPropertyValues("namegate.upstream.allowances.statuses=-1")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("allowances.statuses");
                });
    }

    @Test
    void noRetryAfterOfOursMayExceedTheCapOnTheInternalServicesOnes() {
        upstream.withPropertyValues("namegate.upstream.unavailable-retry-after=2m")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("namegate.upstream.unavailable-retry-after")
                        .hasMessageContaining("namegate.upstream.max-retry-after"));
        upstream.withPropertyValues("namegate.upstream.breaker.open-for=90s")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("namegate.upstream.breaker.open-for"));
        upstream.withPropertyValues("namegate.upstream.max-retry-after=2h")
                .run(context -> assertThat(context.getStartupFailure()).hasStackTraceContaining("maxRetryAfter"));
    }

    @Test
    void baseUrlsMustBeHttpWithAHost() {
        upstream.withPropertyValues("namegate.upstream.base-urls=ftp://example")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("namegate.upstream.base-urls"));
    }
}
