package dev.namegate.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class LogEventMetricsTest {

    private final LoggerContext context = new LoggerContext();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void countsTheEventsLoggedByLevelAndNotTheOnesBelowTheEffectiveLevel() {
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
        Logger logger = context.getLogger("dev.namegate.example");
        try (LogEventMetrics metrics = new LogEventMetrics(context)) {
            metrics.bindTo(registry);

            logger.error("e");
            logger.warn("w1");
            logger.warn("w2");
            logger.info("i");
            logger.debug("d");
            logger.trace("t");
        }

        assertThat(count("error")).isEqualTo(1);
        assertThat(count("warn")).isEqualTo(2);
        assertThat(count("info")).isEqualTo(1);
        assertThat(count("debug")).isZero();
        assertThat(count("trace")).isZero();
    }

    @Test
    void aLoggerSetFinerThanTheRootIsCountedAtItsOwnLevel() {
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        Logger logger = context.getLogger("dev.namegate.example");
        logger.setLevel(Level.DEBUG);
        try (LogEventMetrics metrics = new LogEventMetrics(context)) {
            metrics.bindTo(registry);

            logger.debug("d");
            logger.info("i");
        }

        assertThat(count("debug")).isEqualTo(1);
        assertThat(count("info")).isEqualTo(1);
    }

    @Test
    void installsNoTurboFilterAndStopsCountingWhenClosed() {
        Logger logger = context.getLogger("dev.namegate.example");
        LogEventMetrics metrics = new LogEventMetrics(context);
        metrics.bindTo(registry);
        logger.warn("counted");

        metrics.close();
        logger.warn("not counted");

        assertThat(context.getTurboFilterList()).isEmpty();
        assertThat(count("warn")).isEqualTo(1);
    }

    private double count(String level) {
        return registry.get(LogEventMetrics.NAME).tag("level", level).counter().count();
    }
}
