package dev.namegate.hardening;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * {@code namegate.server.idle-timeout} on a separate management port's server, as Reactor Netty's
 * own idle timeout: that server answers probes and scrapes, where its cost per request does not
 * matter. Listed in {@code META-INF/spring/...ManagementContextConfiguration.imports} and left out
 * of the component scan, so only the management server's child context loads it; that context's
 * server factory takes customizers of the factory, not of the server.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class ManagementServerIdleTimeout {

    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> idleTimeoutOfTheManagementServer(
            ServerLimitsProperties properties) {
        return factory -> factory.addServerCustomizers(server -> server.idleTimeout(properties.idleTimeout()));
    }
}
