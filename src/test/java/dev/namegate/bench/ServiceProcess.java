package dev.namegate.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The namegate service as a child process: {@code java -jar target/namegate.jar}, configured only
 * through its documented environment, bound to loopback, ready when {@code /readyz} answers 200.
 */
public final class ServiceProcess implements AutoCloseable {

    /**
     * A start on one slow core (10-16 s to Spring's "Started") and the warm-up's own timeout (90 s)
     * after it, with room: at 60 s a run on a slow host was refused a service that came ready.
     */
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration WARMUP_LINE_WAIT = Duration.ofSeconds(1);
    /** The starts of the warm-up's last line (dev.namegate.warmup.Warmup). */
    static final String WARMUP_DONE = "warm-up done in";
    static final String WARMUP_CUT_SHORT = "warm-up cut short";

    private final ManagedProcess process;
    private final String baseUrl;
    private final JvmStops stops;
    private String managementUrl;

    private ServiceProcess(ManagedProcess process, String baseUrl, JvmStops stops) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.stops = stops;
    }

    /**
     * Launches the service with this JVM's launcher and waits until {@code /readyz} answers 200.
     *
     * @param prefix           command prefix, e.g. {@code taskset -c 0}, or empty
     * @param internalBaseUrls the simulator's base URLs, all of them (dead ones included)
     * @param keysFile         the keys file holding the benchmark key's hash
     * @param jvmArgs          JVM options for the service, e.g. a JFR recording or a heap size
     */
    public static ServiceProcess start(List<String> prefix, Path jar, List<String> internalBaseUrls, Path keysFile,
            Path log, List<String> serviceArgs, List<String> jvmArgs) throws IOException, InterruptedException {
        ServiceProcess service = launch(Java.launcher(), prefix, jar, internalBaseUrls, keysFile, log, serviceArgs, jvmArgs);
        try {
            service.awaitReady();
            service.warmupCutShort().ifPresent(line -> System.err.println("note: namegate's " + line
                    + " (its first overload may compile what the warm-up did not reach)"));
            return service;
        } catch (IOException | InterruptedException | RuntimeException e) {
            service.close();
            throw e;
        }
    }

    /**
     * Launches the service and returns at once, without waiting for anything: for measuring the
     * start itself, or for a run that ends by itself (a CDS training run).
     *
     * @param launcher the {@code java} executable, e.g. {@link Java#launcher()} or another JDK's
     */
    public static ServiceProcess launch(String launcher, List<String> prefix, Path jar, List<String> internalBaseUrls,
            Path keysFile, Path log, List<String> serviceArgs, List<String> jvmArgs) throws IOException {
        int port = Java.freePort();
        int managementPort = Java.freePort();
        JvmStops stops = JvmStops.beside("namegate", log);
        List<String> command = new ArrayList<>(prefix);
        command.add(launcher);
        command.addAll(jvmArgs);
        command.addAll(List.of(stops.jvmOption(), "-jar", jar.toString()));
        // the production defaults (name cache on) unless a run says otherwise
        command.addAll(serviceArgs);
        Map<String, String> env = Map.of(
                "INTERNAL_BASE_URL", String.join(",", internalBaseUrls),
                "API_KEYS_FILE", keysFile.toString(),
                "SERVER_PORT", Integer.toString(port),
                "MANAGEMENT_SERVER_PORT", Integer.toString(managementPort),
                // Loopback only: a benchmark must not open ports to the network.
                "SERVER_ADDRESS", "127.0.0.1",
                "MANAGEMENT_SERVER_ADDRESS", "127.0.0.1");
        ManagedProcess process = ManagedProcess.start("service", command, env, log,
                line -> warmupEnding(line).isPresent());
        ServiceProcess service = new ServiceProcess(process, "http://127.0.0.1:" + port, stops);
        service.managementUrl = "http://127.0.0.1:" + managementPort;
        return service;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** When its JVM stopped (collections and other safepoints), logged beside its output. */
    JvmStops stops() {
        return stops;
    }

    /** Where {@code /actuator/*} answers. */
    public String managementUrl() {
        return managementUrl;
    }

    /**
     * The service's own {@code namegate_*} metrics now (attempt outcomes, refusals, hedges,
     * guards), so a benchmark row can be explained; empty if they cannot be read.
     */
    public ServiceMetrics metrics() {
        try {
            HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(managementUrl + "/actuator/prometheus"))
                            .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return ServiceMetrics.parse(response.body());
        } catch (IOException e) {
            return ServiceMetrics.unavailable(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ServiceMetrics.unavailable("interrupted");
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status, waiting at most {@code timeout}; see {@link ManagedProcess#awaitExit(Duration)}. */
    public int awaitExit(Duration timeout) throws IOException, InterruptedException {
        return process.awaitExit(timeout);
    }

    /**
     * The warm-up's last line when its timeout cut it short; empty when it finished, or when
     * its last line was not printed within a second of readiness (it is written just after
     * readiness turns green).
     */
    private Optional<String> warmupCutShort() throws InterruptedException {
        try {
            return warmupEnding(process.awaitLine(WARMUP_LINE_WAIT))
                    .filter(line -> line.startsWith(WARMUP_CUT_SHORT));
        } catch (IOException notPrinted) {
            return Optional.empty();
        }
    }

    /** How the warm-up ended, if {@code line} is its last ({@code warm-up done in ...} or {@code warm-up cut short ...}). */
    static Optional<String> warmupEnding(String line) {
        for (String ending : List.of(WARMUP_DONE, WARMUP_CUT_SHORT)) {
            int at = line.indexOf(ending);
            if (at >= 0) {
                return Optional.of(line.substring(at));
            }
        }
        return Optional.empty();
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl + "/readyz"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int lastStatus = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("service exited before it was ready; see its log");
            }
            try {
                lastStatus = client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (lastStatus == 200) {
                    return;
                }
            } catch (ConnectException | HttpTimeoutException notYet) {
                // still starting
            } catch (IOException notYet) {
                // e.g. connection reset while the server binds
            }
            Thread.sleep(100);
        }
        throw new IOException("service not ready within " + READY_TIMEOUT + " (last /readyz status " + lastStatus + ")");
    }

    @Override
    public void close() {
        process.close();
    }
}
