package dev.namegate.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.RawHttp;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;

/**
 * Request bodies against a started server whose head timeout (3 s) is far longer than its body
 * timeout (500 ms), so a connection closed within 2 s was closed by the body timeout
 * and nothing else: a body trickling in is cut off whether its request is still unanswered (Reactor
 * Netty's request timeout) or was answered early (ours), and a body that ends after its answer is
 * not taken for the next request's head. On real time: the server's read timeouts on a real
 * socket are what is tested.
 */
@ServerTest
@TestPropertySource(properties = {
        "namegate.upstream.hedging.enabled=false",
        "namegate.upstream.response-timeout=8s", "namegate.upstream.attempt-timeout=9s",
        "namegate.upstream.deadline=10s",
        "namegate.server.request-head-timeout=3s",
        "namegate.server.request-body-timeout=500ms",
        "namegate.server.idle-timeout=5s",
})
class SlowBodiesTest {

    private static final Duration CUT_OFF_WITHIN = Duration.ofSeconds(2);

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("John"));

    @LocalServerPort
    int port;

    @Test
    void aBodyTricklingInWhileItsRequestIsUnansweredIsCutOffAfterTheBodyTimeout() throws IOException {
        upstream.holdAnswers();
        try (Socket socket = RawHttp.connect(port, Duration.ofSeconds(5))) {
            // a valid key: the lookup waits for the internal service, which holds its answer back
            RawHttp.send(socket, "GET /users/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + TestKeys.bearer()
                    + "\r\nContent-Length: 100000\r\n\r\nabc");
            assertThat(RawHttp.closedWhileTrickling(socket, CUT_OFF_WITHIN)).isTrue();
        }
    }

    @Test
    void aBodyTricklingInAfterAnEarlyAnswerIsCutOffAfterTheBodyTimeout() throws IOException {
        try (Socket socket = RawHttp.connect(port, Duration.ofSeconds(5))) {
            // no key: the 401 leaves at once, and Reactor Netty stops timing the rest of the body
            RawHttp.send(socket, "GET /users/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\nabc");
            assertThat(RawHttp.closedWhileTrickling(socket, CUT_OFF_WITHIN)).isTrue();
        }
    }

    @Test
    void aConnectionQuietAfterABodyThatEndedAfterItsAnswerIsLeftToTheIdleTimeout() throws IOException {
        try (Socket socket = RawHttp.connect(port, Duration.ofSeconds(5))) {
            // the same request without a body first: a cold path must not answer after the body timeout
            RawHttp.send(socket, "GET /users/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(RawHttp.readOne(socket).status()).isEqualTo(401);
            RawHttp.send(socket, "GET /users/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\n");
            assertThat(RawHttp.readOne(socket).status()).isEqualTo(401);
            RawHttp.send(socket, "abc"); // the body, complete, after its answer: not the start of a head

            assertThat(RawHttp.closedWithin(socket, Duration.ofMillis(3500))).as("past the head timeout").isFalse();
            RawHttp.send(socket, "GET /openapi.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(RawHttp.readOne(socket).status()).as("still usable").isEqualTo(200);
        }
    }
}
