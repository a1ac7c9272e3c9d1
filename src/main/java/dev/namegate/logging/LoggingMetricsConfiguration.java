package dev.namegate.logging;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import ch.qos.logback.classic.LoggerContext;

/** Counts log events by level in place of Spring Boot's {@code LogbackMetrics}, which the application excludes. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(LoggerContext.class)
class LoggingMetricsConfiguration {

    @Bean
    LogEventMetrics logEventMetrics() {
        return new LogEventMetrics();
    }
}
