package dev.namegate.audit;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;

/**
 * Gives the audit logger its own stdout appender that writes the message alone, and detaches it
 * from the root logger, so every audit line is exactly the JSON object {@link AuditLog} built,
 * whatever format the regular logs use.
 *
 * <p>Why in code and not in a {@code logback-spring.xml}: such a file replaces Spring Boot's
 * programmatic set-up, and choosing between Boot's plain ({@code console-appender.xml}) and
 * structured ({@code structured-console-appender.xml}) console appenders by
 * {@code LOGGING_STRUCTURED_FORMAT_CONSOLE} needs logback's {@code <if>}, which needs Janino. Left
 * alone, Boot keeps configuring every other logger exactly as documented.
 */
final class AuditAppender {

    static final String NAME = "NAMEGATE_AUDIT";

    private AuditAppender() {
    }

    /** Installs the appender once per logback context (Boot resets the context on each start). */
    static synchronized void install() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return;
        }
        Logger logger = context.getLogger(AuditLog.LOGGER_NAME);
        if (logger.getAppender(NAME) != null) {
            return;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.setCharset(java.nio.charset.StandardCharsets.UTF_8);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(NAME);
        appender.setEncoder(encoder);
        appender.start();
        logger.addAppender(appender);
        logger.setAdditive(false);
    }
}
