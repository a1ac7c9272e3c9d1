package dev.namegate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

import dev.namegate.simulator.SimulatedUsers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;

/**
 * Runs the namegate benchmark: for each scenario, starts the simulator and the service as child
 * processes on loopback, offers an open-loop load (warm-up, then measured), and prints one
 * markdown table row per scenario; the table is also written to {@code target/bench/results.md},
 * next to each process's log.
 *
 * <p>Build, then run (from the project root):
 * <pre>
 * ./mvnw -q -B -DskipTests package dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     dev.namegate.bench.BenchMain --scenarios=healthy,flaky --rate=100 --duration=15s
 * </pre>
 * ({@code package} builds {@code target/namegate.jar}, which the children run, and compiles the
 * test classes this harness lives in; {@code -DskipTests} skips running them, not compiling them.)
 *
 * <p>Options:
 * <ul>
 * <li>{@code --scenarios=healthy,flaky,...|all} (default all: healthy, flaky, slow, bad-instances,
 *     unknown-ids, outage, rate-limited, storm; see {@link Scenarios})</li>
 * <li>{@code --rate=N} requests/s for every scenario (default: each scenario's own, mostly 100)</li>
 * <li>{@code --duration=15s} measured phase; {@code --warmup=3s} unmeasured phase before it, ramping up from 5% of the rate</li>
 * <li>{@code --timeout=2s} client-side timeout per request stage: connection wait, connect (≤ 1 s),
 *     response (a timeout counts as failed, with its latency)</li>
 * <li>{@code --direct} load the simulator itself ({@code POST /{id}}, no service) as a baseline</li>
 * <li>{@code --naive} load {@link NaiveProxy} instead of the service: plain WebFlux + WebClient in
 *     front of the simulator, the stack's own cost (healthy scenario; pinned like the service)</li>
 * <li>{@code --service-cpu=0} pin the service to CPU 0 and the simulator and load to the others
 *     (needs {@code taskset} and at least 2 CPUs); with {@code --direct} the simulator takes CPU 0</li>
 * <li>{@code --sweep=1000,2000,4000} a throughput sweep: one service and simulator, warmed up at the
 *     first rate, then measured at each rate in turn (one row each)</li>
 * <li>{@code --service-jvm-args="-XX:StartFlightRecording=..."} JVM options for the service</li>
 * <li>{@code --jar=target/namegate.jar}, {@code --out=target/bench}, {@code --connections=512}</li>
 * <li>{@code --key-attributes="rate=... burst=... ids-per-day=..."} client limits written next
 *     to the key (default: effectively unlimited, so client throttling never shapes a result)</li>
 * </ul>
 *
 * <p>Throughput sweeps (thousands of requests/s): the generator needs about half a core at
 * 12,000 requests/s once warm, but every JVM involved starts cold, and an open loop offered more
 * than a cold server can take queues up and does not recover within the phase. Give such runs a
 * long warm-up and a fixed heap, e.g. {@code java -Xms1g -Xmx1g -cp ... BenchMain --direct
 * --scenarios=healthy --rate=12000 --warmup=30s --duration=10s --service-cpu=0}, and check the
 * "generator CPU" and "max send lag" on stderr: a lag of more than a few ms means the generator,
 * not the system under test, was short of CPU.
 *
 * <p>Exit status 0 when every scenario ran (whatever its numbers), 1 when one could not run,
 * 2 on bad options. Not a test: Surefire only runs {@code *Test} classes.
 */
public final class BenchMain {

    /** The warm-up ramps from this share of the rate up to the full rate. */
    private static final double WARMUP_START_FRACTION = 0.05;

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        quietLogging();
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bad option " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new Run(options).all());
    }

    /**
     * Without a logback configuration every Netty event is logged at DEBUG, which costs more CPU
     * than the requests themselves; failures are counted by cause in the report instead.
     */
    private static void quietLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
            context.getLogger("reactor.netty").setLevel(Level.ERROR);
        }
    }

    /** One invocation: options, expected names and pinning are settled before any process starts. */
    private static final class Run {
        private final BenchOptions options;
        private final LongFunction<String> names;
        private final CpuPinning pinning;

        Run(BenchOptions options) throws IOException, InterruptedException {
            this.options = options;
            if (!Files.isRegularFile(options.jar())) {
                throw new IOException(options.jar() + " is missing: build it with ./mvnw -q -B -DskipTests package");
            }
            // The simulator's own name table, so a checker and the simulator can never disagree.
            this.names = SimulatedUsers::nameOf;
            this.pinning = CpuPinning.of(options.serviceCpu());
            pinning.pinThisJvm();
            Files.createDirectories(options.outputDir());
        }

        int all() throws IOException {
            List<String> table = new ArrayList<>();
            List<Summary> plotted = new ArrayList<>();
            table.add(Summary.markdownHeader());
            System.out.println(Summary.markdownHeader());
            int status = 0;
            List<String> sweepVerdict = new ArrayList<>();
            for (Scenario scenario : options.scenarios()) {
                try {
                    List<Summary> summaries = scenario(scenario);
                    plotted.addAll(summaries);
                    for (Summary summary : summaries) {
                        String row = summary.markdownRow();
                        table.add(row);
                        System.out.println(row);
                    }
                    if (summaries.size() > 1) {
                        sweepVerdict.add(sweepVerdict(scenario, summaries));
                    }
                } catch (Exception e) {
                    status = 1;
                    System.err.println("scenario " + scenario.name() + " could not run: " + e);
                    table.add("| " + scenario.name() + " | " + mode() + " | not run: "
                            + e.getClass().getSimpleName() + " |");
                }
            }
            table.addAll(sweepVerdict);
            sweepVerdict.forEach(System.out::println);
            Path results = options.outputDir().resolve("results.md");
            Files.write(results, table, StandardCharsets.UTF_8);
            System.err.println("wrote " + results);
            System.err.println("wrote " + LatencyPlot.write(plotted, options.outputDir().resolve("latency.png")));
            return status;
        }

        /** The highest sustainable rate of a sweep, and the goodput at each rate (for overload). */
        private String sweepVerdict(Scenario scenario, List<Summary> summaries) {
            double best = summaries.stream().filter(Summary::sustainable).mapToDouble(Summary::rate).max().orElse(0);
            StringBuilder text = new StringBuilder("\n" + scenario.name() + " sweep: highest rate with p99 ≤ 100 ms and "
                    + "≥ 99.9% correct: " + (best > 0 ? String.format(Locale.ROOT, "%.0f/s", best) : "none") + ". "
                    + "Goodput (correct within 100 ms, per s):");
            for (Summary summary : summaries) {
                text.append(String.format(Locale.ROOT, " %.0f/s at %.0f/s offered;",
                        summary.goodputPerSecond(options.duration()), summary.rate()));
            }
            return text.toString();
        }

        private String mode() {
            return options.direct() ? "direct" : options.naive() ? "naive" : "service";
        }

        private List<Summary> scenario(Scenario scenario) throws Exception {
            Path logs = options.outputDir();
            if (options.direct()) {
                // In direct mode the simulator is the system under test, so it gets the service's CPU.
                try (SimulatorProcess simulator = SimulatorProcess.start(pinning.servicePrefix(), options.jar(),
                        scenario.fullSimulatorArgs(), logs.resolve("simulator-" + scenario.name() + ".log"))) {
                    ResponseCheck check = scenario.outage() ? ResponseChecks.serverProblem(false)
                            : ResponseChecks.internalApi(scenario.users(), names);
                    return measure(scenario, Target.internal(simulator.firstBaseUrl()), check, simulator, -1);
                }
            }
            if (options.naive()) {
                try (SimulatorProcess simulator = SimulatorProcess.start(pinning.othersPrefix(), options.jar(),
                        scenario.fullSimulatorArgs(), logs.resolve("simulator-" + scenario.name() + ".log"));
                        NaiveProxy.Running proxy = NaiveProxy.start(pinning.servicePrefix(), simulator.firstBaseUrl(),
                                options.serviceJvmArgs(), logs.resolve("naive-" + scenario.name() + ".log"))) {
                    return measure(scenario, Target.publicApi(proxy.baseUrl(), "unused"),
                            ResponseChecks.publicApi(scenario.users(), names), simulator, proxy.process().pid());
                }
            }
            try (ServiceUnderTest system = ServiceUnderTest.start(scenario, options.jar(), pinning,
                    options.keyAttributes(), options.serviceArgs(), options.serviceJvmArgs(), logs)) {
                ResponseCheck check = scenario.outage() ? ResponseChecks.serverProblem(true)
                        : ResponseChecks.publicApi(scenario.users(), names);
                List<Summary> summaries = measure(scenario, system.target(), check, system.simulator(),
                        system.service().pid());
                System.err.println(scenario.name() + " service metrics:\n" + system.service().namegateMetrics());
                return summaries;
            }
        }

        private List<Summary> measure(Scenario scenario, Target target, ResponseCheck check,
                SimulatorProcess simulator, long servicePid) throws Exception {
            List<Double> rates = options.sweep().isEmpty() ? List.of(options.rateOf(scenario)) : options.sweep();
            List<Summary> summaries = new ArrayList<>();
            try (OpenLoopLoad load = new OpenLoopLoad(target, options.connections(), options.timeout())) {
                if (!options.warmup().isZero()) {
                    // Another seed, so the measured phase does not replay ids the warm-up just asked;
                    // a ramp, so a cold JVM (ours or the service's) is not knocked over by full load.
                    load.run(new LoadPlan(rates.get(0), options.warmup(), LoadPlan.DEFAULT_SLO, 7L)
                            .rampingFrom(WARMUP_START_FRACTION), scenario.ids(), check);
                }
                for (double rate : rates) {
                    summaries.add(measureAt(rate, load, scenario, target, check, simulator, servicePid));
                }
            }
            return summaries;
        }

        private Summary measureAt(double rate, OpenLoopLoad load, Scenario scenario, Target target,
                ResponseCheck check, SimulatorProcess simulator, long servicePid) throws Exception {
            LoadPlan plan = new LoadPlan(rate, options.duration(), LoadPlan.DEFAULT_SLO, 42L);
            // Earlier requests have all finished (run() drains), so none leak into these counters.
            simulator.resetCounters();
            ProcStats before = servicePid > 0 ? ProcStats.of(servicePid) : ProcStats.UNKNOWN;
            ThreadCpu threadsBefore = servicePid > 0 ? ThreadCpu.of(servicePid) : ThreadCpu.UNKNOWN;
            ProcStats generatorBefore = ProcStats.of(ProcessHandle.current().pid());
            LoadResult result = load.run(plan, scenario.ids(), check);
            ProcStats after = servicePid > 0 ? ProcStats.of(servicePid) : ProcStats.UNKNOWN;
            ThreadCpu threadsAfter = servicePid > 0 ? ThreadCpu.of(servicePid) : ThreadCpu.UNKNOWN;
            // The generator's own cost: if it nears a full core, the numbers measure us, not them.
            double generatorCpu = ProcStats.of(ProcessHandle.current().pid()).cpuSecondsSince(generatorBefore);
            SimulatorCounters counters = simulator.counters();
            System.err.printf(Locale.ROOT, "%s at %.0f/s: %s; generator CPU %.2f s for %.1f s; max send lag %d µs; "
                    + "wrong by status %s; failures %s; simulator %s; service CPU by thread: %s%n", scenario.name(),
                    rate, target, generatorCpu, options.duration().toMillis() / 1000.0, result.maxSendLagMicros(),
                    result.wrongByStatus(), result.failureCauses(), counters.all(),
                    threadsAfter.describeSince(threadsBefore, result.requests()));
            double attemptsPerRequest = counters.attempts() < 0 ? Double.NaN
                    : (double) counters.attempts() / result.requests();
            double cpuPer1000 = after.cpuSecondsSince(before) * 1000.0 / result.requests();
            return Summary.of(scenario.name(), mode(), rate, result, attemptsPerRequest, counters.rateLimited(),
                    cpuPer1000, after.peakRssMiB());
        }
    }
}
