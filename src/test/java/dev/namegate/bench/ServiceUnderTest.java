package dev.namegate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a load is offered to: the simulator in one scenario's failure mode and the service in front
 * of it with its production defaults, as separate processes on loopback, with a freshly minted
 * key. The service gets the kubelet's probes and Prometheus's scrapes throughout, as in a cluster
 * ({@link OperatorTraffic}). Closing it stops both and deletes the keys file. Used by
 * {@link BenchMain} and by the Gatling simulations ({@code dev.namegate.load}), so both measure
 * the same set-up.
 */
public final class ServiceUnderTest implements AutoCloseable {

    private static final String CLIENT_ID = "bench";

    private final SimulatorProcess simulator;
    private final ServiceProcess service;
    private final Target target;
    private final Path secrets;
    private final OperatorTraffic operatorTraffic;

    private ServiceUnderTest(SimulatorProcess simulator, ServiceProcess service, Target target, Path secrets) {
        this.simulator = simulator;
        this.service = service;
        this.target = target;
        this.secrets = secrets;
        this.operatorTraffic = OperatorTraffic.start(service.baseUrl(), service.managementUrl());
    }

    /**
     * Starts the simulator in {@code scenario}'s failure mode, then the service; each process
     * logs to {@code logs/simulator-<scenario>.log} and {@code logs/service-<scenario>.log}.
     *
     * @param keyAttributes  written next to the key, e.g. {@link BenchOptions#UNLIMITED_KEY}
     * @param serviceArgs    service arguments (none: its production defaults)
     * @param serviceJvmArgs JVM options for the service
     */
    public static ServiceUnderTest start(Scenario scenario, Path jar, CpuPinning pinning, String keyAttributes,
            List<String> serviceArgs, List<String> serviceJvmArgs, Path logs) throws IOException, InterruptedException {
        return start(scenario.name(), scenario.fullSimulatorArgs(), jar, pinning, keyAttributes, serviceArgs,
                serviceJvmArgs, logs);
    }

    /**
     * Starts the simulator with {@code simulatorArgs}, then the service in front of all its
     * addresses; each process logs to {@code logs/simulator-<label>.log} and {@code logs/service-<label>.log}.
     */
    public static ServiceUnderTest start(String label, List<String> simulatorArgs, Path jar, CpuPinning pinning,
            String keyAttributes, List<String> serviceArgs, List<String> serviceJvmArgs, Path logs)
            throws IOException, InterruptedException {
        SimulatorProcess simulator = SimulatorProcess.start(pinning.othersPrefix(), jar, simulatorArgs,
                logs.resolve("simulator-" + label + ".log"));
        Path secrets = null;
        try {
            secrets = Files.createTempDirectory("namegate-bench");
            ApiKeys.Minted key = ApiKeys.mint(CLIENT_ID);
            Path keysFile = ApiKeys.writeKeysFile(secrets, key, keyAttributes);
            ServiceProcess service = ServiceProcess.start(pinning.servicePrefix(), jar, simulator.baseUrls(), keysFile,
                    logs.resolve("service-" + label + ".log"), serviceArgs, serviceJvmArgs);
            return new ServiceUnderTest(simulator, service, Target.publicApi(service.baseUrl(), key.key()), secrets);
        } catch (IOException | InterruptedException | RuntimeException e) {
            simulator.close();
            if (secrets != null) {
                try {
                    deleteTree(secrets);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /** The public API of the service with the key ({@code GET /users/{id}}, {@code Bearer ...}). */
    public Target target() {
        return target;
    }

    public SimulatorProcess simulator() {
        return simulator;
    }

    public ServiceProcess service() {
        return service;
    }

    /** The JVMs on the requests' path, the service's and the simulator's, whose stops a step or phase reports. */
    List<JvmStops> stops() {
        return List.of(service.stops(), simulator.stops());
    }

    /** A line for the run's log: the probes and scrapes sent so far, and how many failed. */
    public String operatorTraffic() {
        return "kubelet and Prometheus over the run: " + operatorTraffic.describe();
    }

    @Override
    public void close() throws IOException {
        try {
            operatorTraffic.close();
            service.close();
            simulator.close();
        } finally {
            deleteTree(secrets);
        }
    }

    /** Deletes {@code root} and everything under it. */
    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
