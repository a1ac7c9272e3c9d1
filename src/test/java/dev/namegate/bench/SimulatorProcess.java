package dev.namegate.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The internal-service simulator (branch feat-sim) as a child process:
 * {@code java -Dloader.main=dev.namegate.simulator.SimulatorMain -jar target/namegate.jar --port=0 ...}.
 * Ready when it prints {@code SIMULATOR READY base-urls=...}; its counters live on the first base URL.
 */
public final class SimulatorProcess implements AutoCloseable {

    private static final String READY = "SIMULATOR READY base-urls=";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final ManagedProcess process;
    private final List<String> baseUrls;
    private final SimulatorControl control;
    private final JvmStops stops;

    private SimulatorProcess(ManagedProcess process, List<String> baseUrls, JvmStops stops) {
        this.process = process;
        this.baseUrls = List.copyOf(baseUrls);
        this.control = new SimulatorControl(this.baseUrls.get(0));
        this.stops = stops;
    }

    /**
     * @param prefix   command prefix, e.g. {@code taskset -c 1}, or empty
     * @param jar      the namegate jar
     * @param args     topology and scenario arguments ({@code --scenario=...} etc.; {@code --port=0} is added)
     */
    public static SimulatorProcess start(List<String> prefix, Path jar, List<String> args, Path log)
            throws IOException, InterruptedException {
        JvmStops stops = JvmStops.beside("simulator", log);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Java.launcher(), Java.METASPACE_THRESHOLD, stops.jvmOption(),
                "-Dloader.main=dev.namegate.simulator.SimulatorMain", "-jar", jar.toString(), "--port=0"));
        command.addAll(args);
        ManagedProcess process = ManagedProcess.start("simulator", command, Map.of(), log,
                line -> line.startsWith(READY));
        try {
            String ready = process.awaitLine(START_TIMEOUT);
            List<String> urls = Arrays.stream(ready.substring(READY.length()).trim().split(","))
                    .map(String::trim).filter(url -> !url.isEmpty()).toList();
            if (urls.isEmpty()) {
                throw new IOException("simulator reported no base urls: " + ready);
            }
            return new SimulatorProcess(process, urls, stops);
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.close();
            throw e;
        }
    }

    /** Every base URL, live and those that can be dead, in the simulator's order: what the service is configured with. */
    public List<String> baseUrls() {
        return baseUrls;
    }

    /** The first base URL: always a live instance, and the one serving the counters. */
    public String firstBaseUrl() {
        return baseUrls.get(0);
    }

    public long pid() {
        return process.pid();
    }

    /** When its JVM stopped (collections and other safepoints), logged beside its output. */
    JvmStops stops() {
        return stops;
    }

    /** Its admin endpoints: counters and switching the failure mode at runtime. */
    public SimulatorControl control() {
        return control;
    }

    @Override
    public void close() {
        process.close();
    }
}
