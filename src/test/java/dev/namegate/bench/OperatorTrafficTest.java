package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

class OperatorTrafficTest {

    private final List<String> paths = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private String url;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            paths.add(path);
            // not ready: the kubelet would count a failed readiness probe
            exchange.sendResponseHeaders(path.equals("/readyz") ? 503 : 200, -1);
            exchange.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void probesAndScrapesAtOnceThenAtTheirPeriodsAndCountsWhatFailed() {
        try (OperatorTraffic traffic = OperatorTraffic.start(url, url)) {
            await().atMost(Duration.ofSeconds(4)).until(() -> paths.size() == 3);
            assertThat(paths).containsExactlyInAnyOrder("/readyz", "/livez", "/actuator/prometheus");
            assertThat(traffic.describe())
                    .isEqualTo("readiness probes 1 (1 failed), liveness probes 1 (0 failed), scrapes 1 (0 failed)");
        }
        assertThat(OperatorTraffic.READINESS_PERIOD).isLessThan(OperatorTraffic.LIVENESS_PERIOD)
                .isLessThan(OperatorTraffic.SCRAPE_INTERVAL);
    }
}
