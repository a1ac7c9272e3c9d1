package dev.namegate.transport;

import java.util.function.BooleanSupplier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.namegate.overload.AdmissionGate;

/**
 * {@link TransportProperties} applied to the public server. Like the other customizers of the
 * public server, not to a separate management port's, which is built in a child context from its
 * own customizers.
 */
@Configuration(proxyBeanMethods = false)
class TransportConfiguration {

    @Bean
    NettyServerCustomizer responseFlushes(TransportProperties properties, ObjectProvider<AdmissionGate> admissionGate) {
        if (!properties.consolidateResponseFlushes()) {
            return server -> server;
        }
        AdmissionGate gate = admissionGate.getIfAvailable();
        BooleanSupplier atOnce = atOnce(properties, gate == null ? null : gate::limiting);
        return server -> server.doOnChannelInit((observer, channel, remote) -> {
            if (channel.isOpen()) { // the connection cap may have closed it already
                ResponseFlushes.consolidate(channel, atOnce);
            }
        });
    }

    /** When an answer leaves at once: while the gate holds a limit, unless switched off; never without a gate. */
    static BooleanSupplier atOnce(TransportProperties properties, BooleanSupplier gateLimiting) {
        return properties.flushAtOnceUnderLimit() && gateLimiting != null ? gateLimiting : () -> false;
    }
}
