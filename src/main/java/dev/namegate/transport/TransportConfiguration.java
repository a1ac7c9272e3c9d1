package dev.namegate.transport;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link TransportProperties} applied to the public server. Like the other customizers of the
 * public server, not to a separate management port's, which is built in a child context from its
 * own customizers.
 */
@Configuration(proxyBeanMethods = false)
class TransportConfiguration {

    @Bean
    NettyServerCustomizer responseFlushes(TransportProperties properties) {
        return server -> properties.consolidateResponseFlushes()
                ? server.doOnChannelInit((observer, channel, remote) -> {
                    if (channel.isOpen()) { // the connection cap may have closed it already
                        ResponseFlushes.consolidate(channel);
                    }
                })
                : server;
    }
}
