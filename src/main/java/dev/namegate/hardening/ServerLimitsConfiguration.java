package dev.namegate.hardening;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import io.micrometer.core.instrument.MeterRegistry;
import reactor.netty.NettyPipeline;

/**
 * {@link ServerLimitsProperties} applied to Reactor Netty: the request-head, body and idle
 * timeouts ({@link RequestReadDeadlines}) and the connection cap are small handlers of ours,
 * installed on each new connection after the HTTP codec. A separate management port's server is
 * built in a child context from its own customizers, not this one: {@link ManagementServerIdleTimeout}
 * gives it the idle timeout. Each server this customizes gets its own cap, whose meters carry the port.
 */
@Configuration(proxyBeanMethods = false)
class ServerLimitsConfiguration {

    /** Boot's idle timeout, which would bring Reactor Netty's back onto the public port. */
    private static final String BOOT_IDLE_TIMEOUT = "server.netty.idle-timeout";

    private static final Logger log = LoggerFactory.getLogger(ServerLimitsConfiguration.class);

    @Bean
    NettyServerCustomizer serverLimits(ServerLimitsProperties properties, MeterRegistry registry,
            Environment environment) {
        if (environment.containsProperty(BOOT_IDLE_TIMEOUT)) {
            log.warn("{} is set: Reactor Netty then removes and adds a handler and a timer on every request;"
                    + " namegate.server.idle-timeout ({}) closes idle connections on both ports without that cost",
                    BOOT_IDLE_TIMEOUT, properties.idleTimeout());
        }
        long headTimeoutNanos = properties.requestHeadTimeout().toNanos();
        long bodyTimeoutNanos = properties.requestBodyTimeout().toNanos();
        long idleTimeoutNanos = properties.idleTimeout().toNanos();
        return server -> {
            ConnectionCap cap = new ConnectionCap(properties.maxConnections());
            return server.doOnBound(bound -> cap.bound(bound.port(), registry))
                    .doOnChannelInit((observer, channel, remote) -> {
                        cap.admit(channel);
                        if (channel.isOpen() && channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                            channel.pipeline().addAfter(NettyPipeline.HttpCodec, RequestReadDeadlines.NAME,
                                    new RequestReadDeadlines(headTimeoutNanos, bodyTimeoutNanos, idleTimeoutNanos));
                        }
                    });
        };
    }
}
