package dev.namegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The day-5 failure must really be a connect that hangs, not a refused or accepted one,
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
    void deadInstancesAreSpreadEvenlyWithALiveOneFirst() {
        List<String> live = List.of("L1", "L2", "L3", "L4", "L5", "L6", "L7");
        List<String> dead = List.of("D1", "D2", "D3");

        assertThat(InternalServiceSimulator.interleave(live, dead))
                .containsExactly("L1", "L2", "L3", "D1", "L4", "L5", "D2", "L6", "L7", "D3");
        assertThat(InternalServiceSimulator.interleave(List.of("L1"), List.of("D1"))).containsExactly("L1", "D1");
        assertThat(InternalServiceSimulator.interleave(List.of("L1", "L2"), List.of())).containsExactly("L1", "L2");
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
