package dev.namegate.testing;

import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Captures what one logger (and its children) writes, for tests that assert on log lines. */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name, Level level) {
        logger = (Logger) LoggerFactory.getLogger(name);
        previousLevel = logger.getLevel();
        logger.setLevel(level);
        appender.start();
        logger.addAppender(appender);
    }

    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName, Level.DEBUG);
    }

    /** Formatted messages captured so far. */
    public List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** A copy: other threads (event loops, timers) may log while a test reads. */
    public List<ILoggingEvent> events() {
        synchronized (appender) { // the lock AppenderBase.doAppend holds while it appends
            return List.copyOf(appender.list);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previousLevel);
        appender.stop();
    }
}
