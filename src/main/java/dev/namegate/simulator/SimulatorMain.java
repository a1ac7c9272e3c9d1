package dev.namegate.simulator;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * The simulator as its own process, for benchmarks and manual runs against the service.
 *
 * <p>Run from the service's jar (Spring Boot ZIP layout, so {@code loader.main} picks this
 * class instead of the service):
 * <pre>{@code
 * java -Dloader.main=dev.namegate.simulator.SimulatorMain -jar target/namegate.jar --scenario=flaky
 * java -Dloader.main=dev.namegate.simulator.SimulatorMain -jar target/namegate.jar \
 *      --port=9090 --instances=7 --scenario=flaky,slow,bad-instances,closing --dead-instances=3 \
 *      --fail-rate=0.3 --slow-delay=150ms --rate-limit=100 --rate-burst=100 --retry-after=1
 * }</pre>
 * Arguments are listed in {@link SimulatorSettingsParser#USAGE}. When ready it prints exactly
 * one line to stdout, {@code SIMULATOR READY base-urls=<comma-separated URLs>}, so scripts can
 * wait for it; everything else goes to stderr. It runs until killed; SIGTERM closes it cleanly.
 * Exit codes: 0 after {@code --help}, 2 for bad arguments (usage on stderr), 1 if it cannot start.
 */
public final class SimulatorMain {

    // Reactor Netty logs through SLF4J; without Spring Boot configuring Logback, Logback's
    // default is DEBUG on stdout, which would break the one-line stdout contract.
    private static final String LOGBACK_CONFIG_PROPERTY = "logback.configurationFile";
    private static final String LOGBACK_CONFIG = "dev/namegate/simulator/simulator-logback.xml";

    private SimulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (System.getProperty(LOGBACK_CONFIG_PROPERTY) == null) {
            System.setProperty(LOGBACK_CONFIG_PROPERTY, LOGBACK_CONFIG);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(SimulatorSettingsParser.USAGE);
            return;
        }
        SimulatorSettings settings;
        try {
            settings = SimulatorSettingsParser.parseArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("simulator: " + e.getMessage());
            System.err.print(SimulatorSettingsParser.USAGE);
            System.exit(2);
            return;
        }
        InternalServiceSimulator simulator;
        try {
            simulator = InternalServiceSimulator.start(settings);
        } catch (RuntimeException e) {
            System.err.println("simulator: cannot start: " + e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        System.err.println("simulator: " + String.join(" ", SimulatorSettingsParser.format(settings)));
        out.println("SIMULATOR READY base-urls=" + String.join(",", simulator.baseUrls()));
        // The event loops are daemon threads, so main must stay alive until the hook has run.
        stopped.await();
    }
}
