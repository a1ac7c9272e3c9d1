package dev.namegate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

import dev.namegate.testing.LogCapture;

/** X-Forwarded-For from a peer while no proxy is trusted: a deployment behind a proxy nobody listed. */
class UntrustedForwardedForTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private static MockServerWebExchange from(String peer, String forwardedFor) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/users/1")
                .remoteAddress(new InetSocketAddress(peer, 40_000));
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        return MockServerWebExchange.from(request);
    }

    private double counted() {
        return meters.counter("namegate.limits.forwarded.untrusted").count();
    }

    @Test
    void forwardedForWhileNoProxyIsTrustedIsLoggedOnceAndCountedEveryTime() {
        UntrustedForwardedFor check = new UntrustedForwardedFor(new SourceAddresses(List.of()), meters);
        try (LogCapture logs = LogCapture.of(UntrustedForwardedFor.class.getName())) {
            for (int i = 0; i < 3; i++) {
                check.filter(from("10.1.2.3", "203.0.113." + i), exchange -> Mono.empty()).block();
            }
            check.filter(from("10.1.2.3", null), exchange -> Mono.empty()).block();

            assertThat(logs.events()).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains("10.1.2.3", "namegate.limits.trusted-proxies")
                        .doesNotContain("203.0.113");
            });
        }
        assertThat(counted()).isEqualTo(3);
    }

    @Test
    void withTrustedProxiesTheHeaderIsExpected() {
        UntrustedForwardedFor check = new UntrustedForwardedFor(
                new SourceAddresses(List.of(Cidr.parse("10.0.0.0/8"))), meters);
        try (LogCapture logs = LogCapture.of(UntrustedForwardedFor.class.getName())) {
            check.filter(from("10.1.2.3", "203.0.113.1"), exchange -> Mono.empty()).block();
            check.filter(from("192.0.2.1", "203.0.113.1"), exchange -> Mono.empty()).block();
            assertThat(logs.events()).isEmpty();
        }
        assertThat(counted()).isZero();
    }
}
