package dev.namegate.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;

import ch.qos.logback.classic.Level;
import dev.namegate.testing.LogCapture;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Boot's idle timeout, which would put Reactor Netty's per-request handler back, is warned of. */
class ServerLimitsConfigurationTest {

    @EnableConfigurationProperties(ServerLimitsProperties.class)
    static class WithMeters {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    private final ApplicationContextRunner server = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(WithMeters.class, ServerLimitsConfiguration.class);

    @Test
    void bootsIdleTimeoutSetIsWarnedOfOnceNamingOurs() {
        try (LogCapture log = LogCapture.of(ServerLimitsConfiguration.class.getName())) {
            server.withPropertyValues("server.netty.idle-timeout=30s").run(context -> {
                assertThat(context).hasNotFailed().hasSingleBean(NettyServerCustomizer.class);
            });
            assertThat(log.events()).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).startsWith("server.netty.idle-timeout is set")
                        .contains("namegate.server.idle-timeout (PT1M)");
            });
        }
    }

    @Test
    void withoutItNothingIsLogged() {
        try (LogCapture log = LogCapture.of(ServerLimitsConfiguration.class.getName())) {
            server.run(context -> assertThat(context).hasNotFailed().hasSingleBean(NettyServerCustomizer.class));
            assertThat(log.events()).isEmpty();
        }
    }
}
