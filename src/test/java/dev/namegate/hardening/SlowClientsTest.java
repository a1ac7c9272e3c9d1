package dev.namegate.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import io.micrometer.core.instrument.MeterRegistry;

import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.RawHttp;
import dev.namegate.testing.ServerTest;

/**
 * Slow and idle clients against a started server, over raw loopback sockets, with the timeouts
 * cut to fractions of a second: a head trickling in is cut off, an idle keep-alive connection is
 * closed (but not before its time), and a connection beyond the cap is closed at once while the
 * first ones are served. Slow bodies: {@link SlowBodiesTest}. On real time: these timeouts are
 * Netty's own timers.
 */
@ServerTest
@TestPropertySource(properties = {
        "namegate.server.request-head-timeout=300ms",
        "namegate.server.request-body-timeout=300ms",
        "namegate.server.idle-timeout=1500ms",
        "namegate.server.max-connections=3",
})
class SlowClientsTest {

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("John"));

    @LocalServerPort
    int port;

    @Value("${local.management.port}")
    int managementPort;

    @Autowired
    MeterRegistry meters;

    private static final String GET_OPENAPI = "GET /openapi.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    @Test
    void aRequestHeadTricklingInIsCutOffAfterTheHeadTimeout() throws IOException {
        try (Socket socket = RawHttp.connect(port, Duration.ofSeconds(5))) {
            RawHttp.send(socket, "GET /users/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
            // every byte would reset an idle timeout; only a deadline on the whole head ends this
            assertThat(RawHttp.closedWhileTrickling(socket, Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeoutButNotBefore() throws IOException {
        try (Socket socket = RawHttp.connect(port, Duration.ofSeconds(5))) {
            RawHttp.send(socket, GET_OPENAPI);
            assertThat(RawHttp.readOne(socket).status()).isEqualTo(200);
            // longer than the head timeout: an idle connection is not a slow head
            assertThat(RawHttp.closedWithin(socket, Duration.ofMillis(700))).isFalse();
            RawHttp.send(socket, GET_OPENAPI);
            assertThat(RawHttp.readOne(socket).status()).as("still usable").isEqualTo(200);

            assertThat(RawHttp.closedWithin(socket, Duration.ofSeconds(4))).isTrue();
        }
    }

    private double openConnections() {
        return meters.get("namegate.server.connections").tag("port", Integer.toString(port)).gauge().value();
    }

    private double refusedConnections() {
        return meters.get("namegate.server.connections.refused").tag("port", Integer.toString(port))
                .functionCounter().count();
    }

    @Test
    void theConnectionMetersNameThePublicPortAndTheManagementPortKeepsTheIdleTimeout() throws IOException {
        assertThat(meters.find("namegate.server.connections").gauges())
                .extracting(gauge -> gauge.getId().getTag("port")).containsExactly(Integer.toString(port));
        assertThat(meters.find("namegate.server.connections.refused").functionCounters())
                .extracting(counter -> counter.getId().getTag("port")).containsExactly(Integer.toString(port));
        try (Socket socket = RawHttp.connect(managementPort, Duration.ofSeconds(5))) {
            RawHttp.send(socket, "GET /actuator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(RawHttp.readOne(socket).status()).isEqualTo(200);
            assertThat(RawHttp.closedWithin(socket, Duration.ofSeconds(4))).as("namegate.server.idle-timeout").isTrue();
        }
    }

    @Test
    void aConnectionBeyondTheCapIsClosedAtOnceWhileTheFirstOnesAreServed() throws IOException {
        await().atMost(Duration.ofSeconds(5)).until(() -> openConnections() == 0);
        double refusedBefore = refusedConnections();
        List<Socket> first = new ArrayList<>();
        try (LogCapture log = LogCapture.of(ConnectionCap.class.getName())) {
            for (int i = 0; i < 3; i++) {
                Socket socket = RawHttp.connect(port, Duration.ofSeconds(5));
                first.add(socket);
                RawHttp.send(socket, GET_OPENAPI);
                assertThat(RawHttp.readOne(socket).status()).isEqualTo(200);
            }
            try (Socket beyond = RawHttp.connect(port, Duration.ofSeconds(5))) {
                assertThat(RawHttp.closedWithin(beyond, Duration.ofSeconds(2))).as("the fourth").isTrue();
            }
            try (Socket beyond = RawHttp.connect(port, Duration.ofSeconds(5))) {
                assertThat(RawHttp.closedWithin(beyond, Duration.ofSeconds(2))).as("the fifth").isTrue();
            }
            for (Socket socket : first) {
                RawHttp.send(socket, GET_OPENAPI);
                assertThat(RawHttp.readOne(socket).status()).as("the first three still served").isEqualTo(200);
            }
            assertThat(refusedConnections() - refusedBefore).isEqualTo(2);
            assertThat(log.events()).as("one line per episode").hasSize(1);

            first.remove(0).close();
            await().atMost(Duration.ofSeconds(5)).until(() -> openConnections() == 2);
            try (Socket next = RawHttp.connect(port, Duration.ofSeconds(5))) {
                RawHttp.send(next, GET_OPENAPI);
                assertThat(RawHttp.readOne(next).status()).as("room again").isEqualTo(200);
            }
        } finally {
            for (Socket socket : first) {
                socket.close();
            }
        }
    }
}
