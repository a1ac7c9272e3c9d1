package dev.namegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import reactor.netty.http.server.HttpServer;

/**
 * A dead instance must really be a connect that hangs, not a refused or accepted one,
 * because that is what the client's connect timeout exists for.
 */
class DeadInstanceTest {

    private static final int CONNECT_TIMEOUT_MILLIS = 200;

    @Test
    void aConnectToADeadInstanceHangsUntilTheClientTimesOut() throws Exception {
        try (DeadInstance dead = new DeadInstance()) {
            for (int attempt = 0; attempt < 2; attempt++) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> connect(dead.baseUrl())).isInstanceOf(SocketTimeoutException.class);
                assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(CONNECT_TIMEOUT_MILLIS - 5);
            }
        }
    }

    @Test
    void theSimulatorListsDeadInstancesAmongLiveOnesAndOnlyTheLiveOnesConnect() throws Exception {
        SimulatorSettings settings = SimulatorSettings.builder().instances(2).badInstances().build();
        try (InternalServiceSimulator simulator = InternalServiceSimulator.start(settings)) {
            List<String> urls = simulator.baseUrls();

            assertThat(urls).hasSize(3).doesNotHaveDuplicates().allMatch(u -> u.startsWith("http://127.0.0.1:"));
            assertThat(urls.subList(0, 2)).isEqualTo(simulator.liveBaseUrls());
            connect(urls.get(0)).close();
            assertThatThrownBy(() -> connect(urls.get(2))).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aSwitchableAddressHangsConnectsWhileDeadAndAnswersAgainOnceRevived() throws Exception {
        SimulatorSettings serving = SimulatorSettingsParser.parseArgs("--instances=1", "--switchable-instances=1",
                "--users=100");
        SimulatorHttp http = new SimulatorHttp();
        try (InternalServiceSimulator simulator = InternalServiceSimulator.start(serving)) {
            String first = simulator.baseUrls().get(0);
            String switchable = simulator.baseUrls().get(1);
            assertThat(http.post(switchable, "/7").statusCode()).isEqualTo(200);

            assertThat(http.send(first, "/_sim/scenario?scenario=bad-instances", "PUT").statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> connect(switchable)).isInstanceOf(SocketTimeoutException.class);
            assertThat(simulator.settings().badInstances()).isTrue();
            assertThat(http.post(first, "/8").statusCode()).isEqualTo(200);

            assertThat(http.send(first, "/_sim/scenario?scenario=healthy", "PUT").statusCode()).isEqualTo(200);
            var revived = http.post(switchable, "/9");
            assertThat(revived.statusCode()).isEqualTo(200);
            assertThat(SimulatorHttp.json(revived).get("name").asString()).isEqualTo(SimulatedUsers.nameOf(9));
            assertThat(simulator.baseUrls()).containsExactly(first, switchable);
            // one count across both switches: three attempts, none lost with the servers that went away
            assertThat(simulator.counters().attempts()).isEqualTo(3);
            assertThat(simulator.counters().ok()).isEqualTo(3);
        }
    }

    @Test
    void goingDeadClosesOpenConnectionsEvenWithARequestInFlight() throws Exception {
        SimulatorSettings slowServing = SimulatorSettingsParser.parseArgs("--instances=1", "--switchable-instances=1",
                "--slow-fraction=1", "--slow-delay=5s");
        try (InternalServiceSimulator simulator = InternalServiceSimulator.start(slowServing);
                Socket client = connect(simulator.baseUrls().get(1))) {
            client.setSoTimeout(3000);
            client.getOutputStream().write("POST /7 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            awaitAttempts(simulator, 1);

            long start = System.nanoTime();
            simulator.settings(slowServing.toBuilder().badInstances(true).build());

            // the answer was due in 5 s; the connection ends now instead, without an answer
            assertThat(readToEnd(client.getInputStream())).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThatThrownBy(() -> connect(simulator.baseUrls().get(1))).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aConnectionTheListenerAcceptsWhileGoingDeadIsClosedToo() {
        AtomicReference<ChannelGroup> group = new AtomicReference<>();
        SwitchableInstance.LiveBinder binder = (port, connections) -> {
            group.set(connections);
            return HttpServer.create().host("127.0.0.1").port(port).channelGroup(connections)
                    .handle((request, response) -> response.send()).bindNow(Duration.ofSeconds(5));
        };
        try (SwitchableInstance instance = new SwitchableInstance(binder, false)) {
            instance.dead(true);
            // what the listener, closing asynchronously, may still accept after the group was closed
            EmbeddedChannel late = new EmbeddedChannel();
            group.get().add(late);

            assertThat(late.isOpen()).isFalse();
            assertThat(instance.isDead()).isTrue();
        }
    }

    @Test
    void deadInstancesAreSpreadEvenlyWithALiveOneFirst() {
        List<String> live = List.of("L1", "L2", "L3", "L4", "L5", "L6", "L7");
        List<String> dead = List.of("D1", "D2", "D3");

        assertThat(InternalServiceSimulator.interleave(live, dead))
                .containsExactly("L1", "L2", "L3", "D1", "L4", "L5", "D2", "L6", "L7", "D3");
        assertThat(InternalServiceSimulator.interleave(List.of("L1"), List.of("D1"))).containsExactly("L1", "D1");
        assertThat(InternalServiceSimulator.interleave(List.of("L1", "L2"), List.of())).containsExactly("L1", "L2");
    }

    private static void awaitAttempts(InternalServiceSimulator simulator, long attempts) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                .until(() -> simulator.counters().attempts() >= attempts);
        assertThat(simulator.counters().attempts()).isEqualTo(attempts);
    }

    /** What arrives until the peer closes (a reset counts as closed). */
    private static String readToEnd(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                text.append((char) b);
            }
        } catch (java.net.SocketException reset) {
            // Connection reset: closed as abruptly as a failing instance would.
        }
        return text.toString();
    }

    private static Socket connect(String baseUrl) throws Exception {
        URI uri = URI.create(baseUrl);
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), CONNECT_TIMEOUT_MILLIS);
            return socket;
        } catch (Exception e) {
            socket.close();
            throw e;
        }
    }
}
