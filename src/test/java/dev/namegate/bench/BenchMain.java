package dev.namegate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import dev.namegate.simulator.SimulatedUsers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;

/**
 * Runs the namegate benchmark and prints one markdown table row per scenario, then one verdict per
 * scenario against the service's targets ({@link Verdicts}); the table is also written to
 * {@code target/bench/results.md}, the latency percentiles to {@code target/bench/latency.png},
 * next to each process's log.
 *
 * <p>By default (sequence mode) one simulator and one service run for the whole benchmark, as a
 * service in production meets its internal service: the simulator's failure mode is switched at
 * runtime from scenario to scenario while the service keeps running, each scenario's load settles
 * for a few seconds after the switch and is then measured, and at the end the simulator is
 * measured directly (the {@code direct} row, at the last healthy row's rate and ids). Ids come from 1..10^9, so practically every
 * request misses the service's name cache; the service runs with its production defaults.
 *
 * <p>Build, then run (from the project root; {@code make bench BENCH_ARGS="..."} does both):
 * <pre>
 * ./mvnw -q -B -DskipTests package dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     dev.namegate.bench.BenchMain --settle=5s --duration=15s
 * </pre>
 * ({@code package} builds {@code target/namegate.jar}, which the children run, and compiles the
 * test classes this harness lives in; {@code -DskipTests} skips running them, not compiling them.)
 *
 * <p>Options:
 * <ul>
 * <li>{@code --scenarios=healthy,flaky,...|all} (default all: healthy, flaky, rate-limited, slow,
 *     bad-instances, unknown-ids, storm, outage, and in sequence mode healthy once more to show
 *     the recovery; see {@link Scenarios}; a name may repeat)</li>
 * <li>{@code --rate=N} requests/s for every scenario (default: each scenario's own, mostly 100)</li>
 * <li>{@code --duration=15s} measured phase; {@code --warmup=60s} unmeasured ramp from 5% of the rate:
 *     in sequence mode once, on the healthy simulator at {@code --warmup-rate=1000} requests/s, so the
 *     service's JIT has compiled the path before the first scenario; in the other modes before each
 *     scenario, at its own rate and in its failure mode</li>
 * <li>{@code --settle=5s} sequence mode: unmeasured load after each switch, before the measured phase</li>
 * <li>{@code --ids=uniform} known ids uniformly from 1..10^9 (the default: every request a cache
 *     miss), or {@code --ids=zipf:100000:1.0} a Zipf hot set over ids 1..N with that exponent, to
 *     show what the name cache adds; every row reports the cache hit ratio either way</li>
 * <li>{@code --fresh} a new simulator and service per scenario instead of one sequence, each started
 *     straight into its scenario (same scenarios and ids), to compare with the sequence</li>
 * <li>{@code --timeout=2s} client-side timeout per request, from its intended send time (the wait
 *     for a connection, connecting, at most 1 s, and the answer): a timeout counts as failed, with its latency</li>
 * <li>{@code --direct} load the simulator itself ({@code POST /{id}}, no service) per scenario as a baseline</li>
 * <li>{@code --naive} load {@link NaiveProxy} instead of the service: plain WebFlux + WebClient in
 *     front of the simulator, the stack's own cost (healthy scenario; pinned like the service)</li>
 * <li>{@code --service-cpu=0} pin the service to CPU 0 and the simulator and load to the others
 *     (needs {@code taskset} and at least 2 CPUs); with {@code --direct} the simulator takes CPU 0</li>
 * <li>{@code --service-cpu-quota=25} fresh runs and sweeps: after its warm-up the service may use
 *     that percentage of one CPU ({@link CpuQuota}, a cgroup; needs root), so the generator can
 *     offer twice what it sustains</li>
 * <li>{@code --sweep=1000,2000,4000} a throughput sweep (fresh processes per scenario): warmed up at
 *     the first rate, then measured at each rate in turn (one row each, each rate with ids of its own)</li>
 * <li>{@code --service-args="--namegate.cache.enabled=false"} service arguments (default none: its
 *     production defaults); {@code --service-jvm-args="-XX:StartFlightRecording=..."} its JVM options,
 *     where the word {@code deployment} stands for the Deployment's ({@link DeploymentJvm}), e.g.
 *     {@code --service-jvm-args="deployment -Xlog:gc:file=gc.log"}</li>
 * <li>{@code --jar=target/namegate.jar}, {@code --out=target/bench}, {@code --connections=4096} (the
 *     generator's connections at most); {@code --open-connections=N} opens N of them before the
 *     warm-up, so that no measured step's overload grows the pool on the load's core (default: all
 *     of them in a sweep, none otherwise; 0 opens them only as needed)</li>
 * <li>{@code --closed-loop} a {@code wrk} sweep over connections instead ({@link ClosedLoopSweep}):
 *     namegate with cache misses and with cache hits, {@link NaiveProxy}, HAProxy and the simulator
 *     itself, each on the service CPU ({@code --service-cpu}, default 0 in this mode) with wrk and the
 *     simulator on the other, {@code --targets=misses,hits,naive,haproxy,direct} (default all);
 *     {@code --steps=4,8,16,32,64,256} connections, {@code --duration} per step (default 10 s here)
 *     after a {@code --warmup} at the highest step (default 120 s here), whole seconds. Writes
 *     {@code closed-loop.md} and {@code closed-loop.png}; needs {@code wrk} (and {@code haproxy}),
 *     which {@code make bench} installs. Bodies are not checked: correct/s counts answers below 400
 *     less socket errors. {@code --interleave}: namegate's misses and NaiveProxy run side by side,
 *     each step measured on one right after the other. {@code --rounds=N}: the steps N times in
 *     turn on each running target, reported as means too ({@link ClosedLoopMean})</li>
 * <li>{@code --key-attributes="rate=... burst=... ids-per-day=..."} client limits written next
 *     to the key (default: effectively unlimited, so client throttling never shapes a result); a
 *     run that would ask one service for more distinct ids than the key's ids-per-day is refused
 *     ({@link IdBudget})</li>
 * </ul>
 *
 * <p>Throughput sweeps (thousands of requests/s): the generator needs about half a core at
 * 12,000 requests/s once warm, but every JVM involved starts cold, and an open loop offered more
 * than a cold server can take queues up and does not recover within the phase. Give such runs a
 * long warm-up and a fixed heap, e.g. {@code java -Xms1g -Xmx1g -cp ... BenchMain --direct
 * --scenarios=healthy --rate=12000 --warmup=30s --duration=10s --service-cpu=0}, and check the
 * "generator CPU" and "max send lag" columns: a lag of more than a few ms means the generator,
 * not the system under test, was short of CPU.
 *
 * <p>Exit status 0 when every scenario ran (whatever its numbers), 1 when one could not run,
 * 2 on bad options or a run that would cross the key's quota of distinct ids. Not a test: Surefire only runs {@code *Test} classes.
 */
public final class BenchMain {

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
        Optional<String> overrun = IdBudget.overrun(options);
        if (overrun.isPresent()) {
            System.err.println(overrun.get());
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
        /** How long the generator's pool may take to open before the warm-up. */
        private static final Duration OPEN_CONNECTIONS_WITHIN = Duration.ofSeconds(30);

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
            if (options.mode() == BenchOptions.Mode.CLOSED_LOOP) {
                return closedLoop();
            }
            List<String> table = new ArrayList<>();
            List<Summary> rows = new ArrayList<>();
            table.add(Summary.markdownHeader());
            System.out.println(Summary.markdownHeader());
            Consumer<Summary> print = row -> {
                rows.add(row);
                table.add(row.markdownRow());
                System.out.println(row.markdownRow());
            };
            int status = 0;
            List<String> sweepVerdict = new ArrayList<>();
            System.err.println("ids: " + options.ids().option() + " over 1.." + Scenarios.USERS + "; mode: "
                    + options.mode().label());
            if (options.mode() == BenchOptions.Mode.SEQUENCE) {
                try {
                    sequence(print);
                } catch (Exception e) {
                    status = 1;
                    System.err.println("the sequence stopped: " + e);
                    table.add("| sequence | " + options.mode().label() + " | stopped: " + e.getClass().getSimpleName()
                            + " |");
                }
            } else {
                for (Scenario scenario : options.scenarios()) {
                    try {
                        List<Summary> summaries = scenario(scenario);
                        summaries.forEach(print);
                        if (summaries.size() > 1) {
                            sweepVerdict.add(sweepVerdict(scenario, summaries));
                        }
                    } catch (Exception e) {
                        status = 1;
                        System.err.println("scenario " + scenario.name() + " could not run: " + e);
                        table.add("| " + scenario.name() + " | " + options.mode().label() + " | not run: "
                                + e.getClass().getSimpleName() + " |");
                    }
                }
            }
            List<String> verdicts = Verdicts.judge(rows).stream().map(Verdicts.Verdict::line).toList();
            if (!verdicts.isEmpty()) {
                List<String> text = new ArrayList<>();
                text.add("");
                text.add("Against the targets (ids " + options.ids().option() + "):");
                text.add("");
                text.addAll(verdicts);
                table.addAll(text);
                text.forEach(System.out::println);
            }
            options.serviceCpuQuota().ifPresent(percent -> table.add("\nThe service was held to " + percent
                    + "% of one CPU after its warm-up (--service-cpu-quota)."));
            table.addAll(sweepVerdict);
            sweepVerdict.forEach(System.out::println);
            Path results = options.outputDir().resolve("results.md");
            Files.write(results, table, StandardCharsets.UTF_8);
            System.err.println("wrote " + results);
            System.err.println("wrote " + LatencyPlot.write(rows, options.outputDir().resolve("latency.png")));
            return status;
        }

        /** The wrk sweep over connections; see {@link ClosedLoopSweep}. */
        private int closedLoop() throws IOException {
            if (!Wrk.installed()) {
                System.err.println("wrk is not installed: apt-get install -y wrk (make bench does when it runs"
                        + " --closed-loop)");
                return 1;
            }
            System.err.println("closed loop: wrk -t1 over " + options.steps() + " connections, " + options.duration()
                    .toSeconds() + " s each, " + options.rounds() + (options.rounds() == 1 ? " round" : " rounds")
                    + " after a " + options.warmup().toSeconds() + " s warm-up at "
                    + options.warmupConnections() + "; bodies are not checked (the open loop does); namegate with "
                    + ClosedLoopSweep.serviceArgs(options) + " and JVM options " + options.serviceJvmArgs());
            List<String> table = new ArrayList<>(ClosedLoopRow.HEADER.lines().toList());
            List<ClosedLoopRow> rows = new ArrayList<>();
            table.forEach(System.out::println);
            List<String> failed = new ClosedLoopSweep(options, pinning, System.err).run(row -> {
                rows.add(row);
                table.add(row.markdownRow());
                System.out.println(row.markdownRow());
            });
            if (!rows.isEmpty()) {
                List<String> means = ClosedLoopMean.table(ClosedLoopMean.of(rows));
                System.out.println();
                means.forEach(System.out::println);
                table.add("");
                table.addAll(means);
            }
            failed.forEach(reason -> table.add("\nnot run: " + reason));
            Path results = options.outputDir().resolve("closed-loop.md");
            Files.write(results, table, StandardCharsets.UTF_8);
            System.err.println("wrote " + results);
            System.err.println("wrote " + ClosedLoopPlot.write(rows, options.outputDir().resolve("closed-loop.png")));
            return failed.isEmpty() ? 0 : 1;
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

        /** One simulator and one service for every scenario; see {@link SequenceRun}. */
        private void sequence(Consumer<Summary> print) throws Exception {
            try (ServiceUnderTest system = ServiceUnderTest.start("sequence", Scenarios.SIMULATOR_SETUP, options.jar(),
                    pinning, options.keyAttributes(), options.serviceArgs(), options.serviceJvmArgs(),
                    options.outputDir())) {
                SequenceRun.Targets targets = new SequenceRun.Targets(system.target(), system.service(),
                        this::serviceCheck, Target.internal(system.simulator().firstBaseUrl()),
                        ResponseChecks.internalApi(Scenarios.USERS, names), system.stops());
                new SequenceRun(options, system.simulator().control(), targets, System.err).run(print);
                System.err.println(system.operatorTraffic());
            }
        }

        private ResponseCheck serviceCheck(Scenario scenario) {
            return scenario.outage() ? ResponseChecks.outage(Scenarios.USERS, names)
                    : ResponseChecks.publicApi(Scenarios.USERS, names);
        }

        /** One scenario on processes of its own: fresh, direct or naive. */
        private List<Summary> scenario(Scenario scenario) throws Exception {
            Path logs = options.outputDir();
            if (options.direct()) {
                // In direct mode the simulator is the system under test, so it gets the service's CPU.
                try (SimulatorProcess simulator = SimulatorProcess.start(pinning.servicePrefix(), options.jar(),
                        scenario.fullSimulatorArgs(), logs.resolve("simulator-" + scenario.name() + ".log"))) {
                    ResponseCheck check = scenario.outage() ? ResponseChecks.serverProblem(false)
                            : ResponseChecks.internalApi(Scenarios.USERS, names);
                    return measure(scenario, Target.internal(simulator.firstBaseUrl()), check, simulator, null,
                            simulator.pid(), List.of(simulator.stops()));
                }
            }
            if (options.naive()) {
                try (SimulatorProcess simulator = SimulatorProcess.start(pinning.othersPrefix(), options.jar(),
                        scenario.fullSimulatorArgs(), logs.resolve("simulator-" + scenario.name() + ".log"));
                        NaiveProxy.Running proxy = NaiveProxy.start(pinning.servicePrefix(), simulator.firstBaseUrl(),
                                false, options.serviceJvmArgs(), logs.resolve("naive-" + scenario.name() + ".log"))) {
                    return measure(scenario, Target.publicApi(proxy.baseUrl(), "unused"),
                            ResponseChecks.publicApi(Scenarios.USERS, names), simulator, null, proxy.process().pid(),
                            List.of(proxy.stops(), simulator.stops()));
                }
            }
            try (ServiceUnderTest system = ServiceUnderTest.start(scenario, options.jar(), pinning,
                    options.keyAttributes(), options.serviceArgs(), options.serviceJvmArgs(), logs)) {
                List<Summary> rows = measure(scenario, system.target(), serviceCheck(scenario), system.simulator(),
                        system.service(), system.service().pid(), system.stops());
                System.err.println(system.operatorTraffic());
                return rows;
            }
        }

        /** The service held to {@code --service-cpu-quota} once warm; {@code null} without it. */
        private CpuQuota capped(long pid) throws IOException {
            if (options.serviceCpuQuota().isEmpty()) {
                return null;
            }
            CpuQuota quota = CpuQuota.hold(pid, options.serviceCpuQuota().getAsInt());
            System.err.println("service held to " + options.serviceCpuQuota().getAsInt() + "% of one CPU from here ("
                    + quota + ")");
            return quota;
        }

        /** @param stops the JVMs on the requests' path whose stops each phase prints */
        private List<Summary> measure(Scenario scenario, Target target, ResponseCheck check,
                SimulatorProcess simulator, ServiceProcess service, long cpuPid, List<JvmStops> stops)
                throws Exception {
            IdMix ids = scenario.ids(options.ids());
            PhaseMeter meter = new PhaseMeter(simulator.control(), simulator.pid(), System.err, pinning.othersCpus(), stops);
            List<Summary> summaries = new ArrayList<>();
            try (OpenLoopLoad load = new OpenLoopLoad(target, options.connections(), options.timeout())) {
                if (options.openConnections() > 0) {
                    int opened = load.openConnections(options.openConnections(), OPEN_CONNECTIONS_WITHIN);
                    System.err.println(scenario.name() + ": the generator opened " + opened + " of "
                            + options.openConnections() + " connections before the warm-up");
                }
                if (!options.warmup().isZero()) {
                    // a ramp, so a cold JVM (ours or the service's) is not knocked over by full load
                    try (SimulatorControlDrill drill = SimulatorControlDrill.start(simulator.control(),
                            SimulatorControlDrill.PERIOD)) {
                        load.run(options.warmupPlan(scenario), ids, check);
                        if (drill.failures() > 0) {
                            System.err.println(scenario.name() + ": " + drill.failures() + " of the simulator's control "
                                    + "drills in the warm-up failed");
                        }
                    }
                }
                try (CpuQuota quota = capped(cpuPid)) {
                    for (LoadPlan plan : options.measuredPlans(scenario)) {
                        summaries.add(meter.measure(scenario.name(), options.mode().label(), plan, load, ids, check,
                                service, cpuPid));
                    }
                }
            }
            return summaries;
        }
    }
}
