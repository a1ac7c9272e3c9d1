package dev.namegate.hardening;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.netty.NettyPipeline;

/**
 * {@link ServerLimitsProperties} applied to Reactor Netty: the idle timeout and the body timeout of
 * an unanswered request are its own settings; the request-head timeout, the body timeout after an
 * early answer ({@link RequestReadDeadlines}) and the connection cap are small handlers of ours,
 * installed on each new connection after the HTTP codec.
 */
@Configuration(proxyBeanMethods = false)
class ServerLimitsConfiguration {

    @Bean
    NettyServerCustomizer serverLimits(ServerLimitsProperties properties, MeterRegistry registry) {
        Counter refused = Counter.builder("namegate.server.connections.refused")
                .description("Connections closed at once because namegate.server.max-connections were open")
                .register(registry);
        long headTimeoutNanos = properties.requestHeadTimeout().toNanos();
        long bodyTimeoutNanos = properties.requestBodyTimeout().toNanos();
        return server -> {
            ConnectionCap cap = new ConnectionCap(properties.maxConnections(), refused);
            Gauge.builder("namegate.server.connections", cap, ConnectionCap::open)
                    .description("Open connections").register(registry);
            return server.idleTimeout(properties.idleTimeout())
                    .requestTimeout(properties.requestBodyTimeout())
                    .doOnChannelInit((observer, channel, remote) -> {
                        cap.admit(channel);
                        if (channel.isOpen() && channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                            channel.pipeline().addAfter(NettyPipeline.HttpCodec, RequestReadDeadlines.NAME,
                                    new RequestReadDeadlines(headTimeoutNanos, bodyTimeoutNanos));
                        }
                    });
        };
    }
}
