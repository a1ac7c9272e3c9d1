package dev.namegate.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * The public server's connections consolidate their flushes unless switched off: a request's
 * handler finds the handler in its own connection's pipeline.
 */
class TransportConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(TransportProperties.class)
    @Import(TransportConfiguration.class)
    static class Wiring {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(Wiring.class);

    /** Whether a request's own connection carried the handler, on a server the context's customizer made. */
    private static String consolidatedOnTheConnection(NettyServerCustomizer customizer) {
        DisposableServer server = customizer.apply(HttpServer.create().host("127.0.0.1").port(0))
                .handle((request, response) -> response.sendString(Mono.just(
                        Boolean.toString(((Connection) request).channel().pipeline().get(ResponseFlushes.NAME) != null))))
                .bindNow();
        try {
            return HttpClient.create().get().uri("http://127.0.0.1:" + server.port() + "/")
                    .responseContent().aggregate().asString().block(Duration.ofSeconds(10));
        } finally {
            server.disposeNow();
        }
    }

    @Test
    void byDefaultEachConnectionSendsItsAnswersAtTheEndOfThePass() {
        context.run(started -> {
            assertThat(started.getBean(TransportProperties.class).consolidateResponseFlushes()).isTrue();
            assertThat(consolidatedOnTheConnection(started.getBean(NettyServerCustomizer.class))).isEqualTo("true");
        });
    }

    @Test
    void byDefaultAnswersLeaveAtOnceWhileTheGateHoldsALimit() {
        context.run(started -> {
            TransportProperties properties = started.getBean(TransportProperties.class);
            boolean[] limiting = {false};
            BooleanSupplier atOnce = TransportConfiguration.atOnce(properties, () -> limiting[0]);
            assertThat(atOnce.getAsBoolean()).as("no limit").isFalse();
            limiting[0] = true;
            assertThat(atOnce.getAsBoolean()).as("a limit").isTrue();
            assertThat(TransportConfiguration.atOnce(properties, null).getAsBoolean()).as("no gate").isFalse();
        });
    }

    @Test
    void switchedOffAnswersWaitForThePassUnderALimitToo() {
        context.withPropertyValues("namegate.transport.flush-at-once-under-limit=false").run(started ->
                assertThat(TransportConfiguration.atOnce(started.getBean(TransportProperties.class), () -> true)
                        .getAsBoolean()).isFalse());
    }

    @Test
    void switchedOffEachAnswerIsSentAsItIsWritten() {
        context.withPropertyValues("namegate.transport.consolidate-response-flushes=false").run(started ->
                assertThat(consolidatedOnTheConnection(started.getBean(NettyServerCustomizer.class))).isEqualTo("false"));
    }
}
