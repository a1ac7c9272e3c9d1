package dev.namegate.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

import reactor.netty.NettyPipeline;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.RawHttp;
import dev.namegate.testing.ServerTest;

/**
 * On the started service, beside the other customizers of the public server (the read deadlines,
 * the early refusal): each of its connections has the handler first, ahead of the HTTP codec.
 */
@ServerTest
@TestPropertySource(properties = "namegate.overload.enabled=true")
@Import(ResponseFlushesServerTest.Pipelines.class)
class ResponseFlushesServerTest {

    /** Records each connection's handlers once Reactor Netty and every customizer have set it up. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Pipelines {
        static final List<List<String>> SEEN = new CopyOnWriteArrayList<>();

        @Bean
        NettyServerCustomizer recordPipelines() {
            return server -> server.doOnConnection(connection -> SEEN.add(connection.channel().pipeline().names()));
        }
    }

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("John"));

    @LocalServerPort
    int port;

    @Test
    void eachConnectionOfThePublicServerHasTheHandlerFirst() throws IOException {
        try (Socket socket = RawHttp.connect(port, Duration.ofSeconds(5))) {
            RawHttp.send(socket, "GET /openapi.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(RawHttp.readOne(socket).status()).isEqualTo(200);
        }
        assertThat(Pipelines.SEEN).isNotEmpty().allSatisfy(names -> {
            assertThat(names.get(0)).isEqualTo(ResponseFlushes.NAME);
            assertThat(names).contains(NettyPipeline.HttpCodec);
        });
    }
}
