package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.VirtualTime;
import dev.namegate.upstream.UserLookup;

/**
 * A hedge over the network: the first attempt reaches an instance that takes the request and
 * never answers; after the hedge delay (on virtual time) a second attempt goes to the other
 * instance and wins. The losing attempt's exchange is left to its connection's response
 * timeout, which closes the connection: the stalled instance sees it closed.
 */
class HedgeCancellationTest {

    @RegisterExtension
    final MockUpstream fast = MockUpstream.answering(request -> MockUpstream.name("John"));
    private final VirtualTimeScheduler clock = VirtualTime.scheduler();
    private ServerSocket stalled;
    private final CountDownLatch requestArrived = new CountDownLatch(1);
    private final CountDownLatch connectionClosed = new CountDownLatch(1);
    private TestUpstream test;

    @AfterEach
    void stop() throws IOException {
        if (test != null) {
            test.close();
        }
        stalled.close();
        clock.dispose();
    }

    /** Accepts one connection, reads the request, never answers, and notes when the peer closes. */
    private void startStalledInstance() throws IOException {
        stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(() -> {
            try (Socket socket = stalled.accept(); InputStream in = socket.getInputStream()) {
                byte[] buffer = new byte[4096];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (n > 0) {
                        requestArrived.countDown();
                    }
                }
                connectionClosed.countDown(); // read returned -1: the client closed the connection
            } catch (IOException ignored) {
                connectionClosed.countDown(); // reset by the client counts as closed too
            }
        }, "stalled-instance");
        thread.setDaemon(true);
        thread.start();
    }

    @Test
    void theHedgeWinsAndTheLosingAttemptsConnectionIsClosedByItsResponseTimeout() throws Exception {
        startStalledInstance();
        test = new TestUpstream(Map.ofEntries(
                // round robin starts at the first instance: the stalled one
                Map.entry("base-urls", "http://127.0.0.1:" + stalled.getLocalPort() + "," + fast.baseUrl()),
                Map.entry("connect-timeout", "1s"), Map.entry("response-timeout", "1s"),
                Map.entry("attempt-timeout", "5s"), Map.entry("deadline", "8s"),
                Map.entry("pool.pending-acquire-timeout", "1s"),
                // one hedge: a second would go to the stalled instance again
                Map.entry("hedging.delay", "200ms"), Map.entry("hedging.adaptive", "false"), Map.entry("hedging.max-hedges", "1"),
                Map.entry("budget.enabled", "false"), Map.entry("breaker.enabled", "false"),
                Map.entry("rate-limit.enabled", "false")), clock, OwnLoad.NONE);

        StepVerifier.create(test.client.lookup(1, "req", "0af7651916cd43dd8448eb211c80319c"))
                .then(() -> {
                    try {
                        assertThat(requestArrived.await(10, TimeUnit.SECONDS)).as("the first attempt reached the stalled instance")
                                .isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    clock.advanceTimeBy(Duration.ofMillis(199));
                    assertThat(fast.requestCount()).as("no hedge before its delay").isZero();
                    clock.advanceTimeBy(Duration.ofMillis(1));
                })
                .expectNext(new UserLookup.Found(1, "John"))
                .expectComplete()
                .verify(Duration.ofSeconds(10));

        assertThat(fast.requestCount()).isEqualTo(1);
        assertThat(test.counter("namegate.upstream.hedges.sent")).isEqualTo(1);
        assertThat(test.counter("namegate.upstream.hedges.won")).isEqualTo(1);
        assertThat(connectionClosed.await(10, TimeUnit.SECONDS)).as("the loser's connection was closed").isTrue();
    }

    /**
     * The connection's timeout is the attempt's own, shrunk to the time left: an attempt that
     * starts 300 ms before the deadline closes its silent connection then, though the response
     * timeout is 9 s.
     */
    @Test
    void aSilentConnectionIsClosedWhenItsAttemptsTimeIsUp() throws Exception {
        startStalledInstance();
        test = new TestUpstream(TestUpstream.guardsOff("http://127.0.0.1:" + stalled.getLocalPort()));
        long elapsed = test.properties.deadline().minusMillis(300).toNanos();

        StepVerifier.create(test.client.lookup(1, "req", "0af7651916cd43dd8448eb211c80319c", elapsed))
                .expectError()
                .verify(Duration.ofSeconds(10));

        // a first attempt in a fresh client may time out before its request is out: the exchange goes on
        assertThat(requestArrived.await(5, TimeUnit.SECONDS)).as("the attempt reached the stalled instance").isTrue();
        assertThat(connectionClosed.await(5, TimeUnit.SECONDS)).as("the silent connection was closed").isTrue();
    }
}
