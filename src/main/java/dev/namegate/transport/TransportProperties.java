package dev.namegate.transport;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the public server sends its answers.
 *
 * @param consolidateResponseFlushes send the answers written in one pass of an event loop
 *        together at the pass's end ({@link ResponseFlushes}), rather than each as it is written;
 *        one written within a read of its own connection (a hit, a refusal) leaves at once
 * @param flushAtOnceUnderLimit but send each at once while the admission gate holds a limit
 */
@ConfigurationProperties("namegate.transport")
public record TransportProperties(
        @DefaultValue("true") boolean consolidateResponseFlushes,
        @DefaultValue("true") boolean flushAtOnceUnderLimit) {
}
