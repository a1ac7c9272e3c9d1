package dev.namegate.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The closed-loop sweep ({@code BenchMain --closed-loop}): for each {@link ClosedLoopTarget} in
 * turn, the system under test on the service CPU in front of a freshly started healthy simulator
 * on the other (in direct mode the simulator itself on the service CPU), a {@code wrk} warm-up at
 * the highest step's connections (for cache hits after asking for each hot id once), then one
 * measured {@code wrk} run per step, the steps again for each further round ({@code --rounds}, every
 * other one backwards), wrk pinned beside the simulator. Each step reports wrk's counts and
 * latency, the system under test's CPU over the step (from {@code /proc}), wrk's own CPU and, for
 * namegate, its cache hit ratio.
 *
 * <p>namegate runs with its production defaults except two settings, so that a sweep of
 * millions of new ids measures throughput rather than the anti-scraping quota: the bench key's
 * quota is counted over a window of {@link #QUOTA_WINDOW} instead of a day (the quota still admits
 * every id, at the same cost per id as in a full day's steady state, up to
 * quota / window = 100,000 new ids/s; {@link IdBudget} refuses a set-up that would refuse earlier),
 * and, as in every mode, the JVM options of {@link BenchOptions#SERVICE_JVM_ARGS} for it and
 * NaiveProxy alike. Either is replaced when {@code --service-args} or {@code --service-jvm-args}
 * set it.
 */
final class ClosedLoopSweep {

    /** How long the sweep's service counts an id toward the bench key's quota. */
    static final Duration QUOTA_WINDOW = Duration.ofSeconds(5);
    static final String QUOTA_WINDOW_PROPERTY = "namegate.limits.quota.window";
    /** An ask that fills a cache: the first meet a cold JVM on one core (NaiveProxy's first took over 2 s). */
    private static final Duration FILL_TIMEOUT = Duration.ofSeconds(15);

    private final BenchOptions options;
    private final CpuPinning pinning;
    private final Wrk wrk;
    private final PrintStream log;

    ClosedLoopSweep(BenchOptions options, CpuPinning pinning, PrintStream log) {
        this.options = options;
        this.pinning = pinning;
        this.wrk = new Wrk(pinning.othersPrefix());
        this.log = log;
    }

    /** The service arguments of the sweep: the user's, with the quota window unless they set it. */
    static List<String> serviceArgs(BenchOptions options) {
        boolean windowGiven = options.serviceArgs().stream()
                .anyMatch(arg -> arg.startsWith("--" + QUOTA_WINDOW_PROPERTY + "="));
        return windowGiven ? options.serviceArgs() : Stream.concat(
                Stream.of("--" + QUOTA_WINDOW_PROPERTY + "=" + QUOTA_WINDOW.toSeconds() + "s"),
                options.serviceArgs().stream()).toList();
    }

    /**
     * Runs every target and hands each step's row to {@code print} as it is measured; a target
     * that cannot run is reported on the log and the others still run.
     *
     * @return the targets that could not run, with why
     */
    List<String> run(Consumer<ClosedLoopRow> print) throws IOException {
        List<String> failed = new ArrayList<>();
        Path scripts = Files.createTempDirectory("namegate-wrk");
        try {
            for (ClosedLoopTarget target : options.targets()) {
                if (target == ClosedLoopTarget.HITS && options.targets().contains(ClosedLoopTarget.MISSES)) {
                    continue; // measured on the misses' service, right after them
                }
                if (target == ClosedLoopTarget.NAIVE && options.interleave()) {
                    continue; // measured beside the misses, step by step
                }
                try {
                    runOn(target, scripts, print);
                } catch (Exception e) {
                    log.println(target.option() + " could not run: " + e);
                    failed.add(target.label() + ": " + e.getMessage());
                }
            }
        } finally {
            ServiceUnderTest.deleteTree(scripts);
        }
        return failed;
    }

    private void runOn(ClosedLoopTarget target, Path scripts, Consumer<ClosedLoopRow> print) throws Exception {
        Path logs = options.outputDir();
        List<String> simulatorArgs = Scenarios.named("healthy").fullSimulatorArgs();
        String label = "closed-loop-" + target.option();
        switch (target) {
            case MISSES, HITS -> {
                try (ServiceUnderTest system = ServiceUnderTest.start(label, simulatorArgs, options.jar(), pinning,
                        options.keyAttributes(), serviceArgs(options), options.serviceJvmArgs(), logs)) {
                    if (options.interleave()) {
                        besideNaive(system, scripts, print);
                    } else if (options.targets().contains(ClosedLoopTarget.MISSES)) {
                        sweep(ClosedLoopTarget.MISSES, system.target(), system.service().pid(), system.service(),
                                system.stops(), scripts, print);
                    }
                    if (options.targets().contains(ClosedLoopTarget.HITS)) {
                        sweep(ClosedLoopTarget.HITS, system.target(), system.service().pid(), system.service(),
                                system.stops(), scripts, print);
                    }
                    System.err.println(system.operatorTraffic());
                }
            }
            case NAIVE, NAIVE_HITS -> {
                try (SimulatorProcess simulator = SimulatorProcess.start(pinning.othersPrefix(), options.jar(),
                        simulatorArgs, logs.resolve("simulator-" + label + ".log"));
                        NaiveProxy.Running proxy = NaiveProxy.start(pinning.servicePrefix(), simulator.firstBaseUrl(),
                                target == ClosedLoopTarget.NAIVE_HITS, options.serviceJvmArgs(),
                                logs.resolve("naive-" + label + ".log"))) {
                    sweep(target, Target.publicApi(proxy.baseUrl(), "unused"), proxy.process().pid(), null,
                            List.of(proxy.stops(), simulator.stops()), scripts, print);
                }
            }
            case HAPROXY -> {
                if (!HaproxyProcess.installed()) {
                    throw new IOException("haproxy is not installed (apt-get install -y haproxy; make bench does)");
                }
                try (SimulatorProcess simulator = SimulatorProcess.start(pinning.othersPrefix(), options.jar(),
                        simulatorArgs, logs.resolve("simulator-" + label + ".log"));
                        HaproxyProcess haproxy = HaproxyProcess.start(pinning.servicePrefix(), simulator.baseUrls(),
                                logs, logs.resolve("haproxy-" + label + ".log"))) {
                    sweep(target, new Target(haproxy.baseUrl(), false, "/users/", null), haproxy.pid(), null,
                            List.of(simulator.stops()), scripts, print);
                }
            }
            case DIRECT -> {
                try (SimulatorProcess simulator = SimulatorProcess.start(pinning.servicePrefix(), options.jar(),
                        simulatorArgs, logs.resolve("simulator-" + label + ".log"))) {
                    sweep(target, Target.internal(simulator.firstBaseUrl()), simulator.pid(), null,
                            List.of(simulator.stops()), scripts, print);
                }
            }
        }
    }

    /**
     * namegate's misses and NaiveProxy side by side, both on the service CPU in front of the
     * misses' simulator: each warmed up in turn, then every step measured on namegate and right
     * after on NaiveProxy, so that each pair of rows sees the same host (whose speed moves within
     * minutes), and the idle one of the two waits.
     */
    private void besideNaive(ServiceUnderTest system, Path scripts, Consumer<ClosedLoopRow> print) throws Exception {
        try (NaiveProxy.Running proxy = NaiveProxy.start(pinning.servicePrefix(), system.simulator().firstBaseUrl(), false,
                options.serviceJvmArgs(), options.outputDir().resolve("naive-closed-loop-interleaved.log"))) {
            Target naive = Target.publicApi(proxy.baseUrl(), "unused");
            warmUp(ClosedLoopTarget.MISSES, system.target(), scripts);
            warmUp(ClosedLoopTarget.NAIVE, naive, scripts);
            List<JvmStops> naiveStops = List.of(proxy.stops(), system.simulator().stops());
            for (int i = 0; i < options.stepCount(); i++) {
                step(ClosedLoopTarget.MISSES, system.target(), system.service().pid(), system.service(), system.stops(),
                        i, scripts, print);
                step(ClosedLoopTarget.NAIVE, naive, proxy.process().pid(), null, naiveStops, i, scripts, print);
            }
        }
    }

    /** Asks for every hot id once, so the hits start from a full cache whatever the warm-up reaches. */
    private void fillCache(ClosedLoopTarget target, Target http) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long named = 0;
        for (long id = 1; id <= ClosedLoopTarget.HOT_IDS; id++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(http.baseUrl() + http.pathPrefix() + id))
                    .header("Authorization", http.authorization()).timeout(FILL_TIMEOUT).GET().build();
            named += client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200 ? 1 : 0;
        }
        log.printf(Locale.ROOT, "%s: the cache filled with %d of ids 1..%d%n", target.label(), named,
                ClosedLoopTarget.HOT_IDS);
    }

    /**
     * The warm-up and every step on one target.
     *
     * @param service namegate, to read its cache counters; {@code null} for the others
     * @param stops   the JVMs on the requests' path whose stops each step reports
     */
    private void sweep(ClosedLoopTarget target, Target http, long pid, ServiceProcess service, List<JvmStops> stops,
            Path scripts, Consumer<ClosedLoopRow> print) throws IOException, InterruptedException {
        warmUp(target, http, scripts);
        for (int i = 0; i < options.stepCount(); i++) {
            step(target, http, pid, service, stops, i, scripts, print);
        }
    }

    /** The target's warm-up at the highest step's connections (for hits, after filling the cache). */
    private void warmUp(ClosedLoopTarget target, Target http, Path scripts) throws IOException, InterruptedException {
        if (target.cacheHits()) {
            fillCache(target, http);
        }
        if (options.warmup().isZero()) {
            return;
        }
        // seed 0: no measured step (seeds 1..n) replays the warm-up's ids
        Path script = new WrkScript(http, target.highestId(), 0).write(scripts.resolve(target.option() + "-0.lua"));
        WrkResult warm = wrk.run(options.warmupConnections(), options.warmup(), script, http.baseUrl(),
                options.outputDir().resolve("wrk").resolve(target.option() + "-warmup.log"));
        log.printf(Locale.ROOT, "%s warm-up: %d connections, %,.0f requests/s, %,d non-2xx, %,d errors%n",
                target.label(), options.warmupConnections(), warm.requestsPerSecond(), warm.non2xx(), warm.errors());
    }

    /**
     * The {@code index}-th measured step on one target, counted over the rounds: each has its own
     * ids, so no step asks for those an earlier one left in the name cache.
     *
     * @param service namegate, to read its cache counters; {@code null} for the others
     * @param stops   the JVMs on the requests' path whose stops over the step go to the log
     */
    private void step(ClosedLoopTarget target, Target http, long pid, ServiceProcess service, List<JvmStops> stops,
            int index, Path scripts, Consumer<ClosedLoopRow> print) throws IOException, InterruptedException {
        int connections = options.stepConnections(index);
        int round = options.stepRound(index);
        Path script = new WrkScript(http, target.highestId(), index + 1)
                .write(scripts.resolve(target.option() + "-" + (index + 1) + ".lua"));
        ServiceMetrics metricsBefore = service != null ? service.metrics() : null;
        ProcStats before = ProcStats.of(pid);
        Instant start = Instant.now();
        WrkResult result = wrk.run(connections, options.duration(), script, http.baseUrl(),
                options.outputDir().resolve("wrk").resolve(target.option() + "-c" + connections
                        + (options.rounds() > 1 ? "-r" + round : "") + ".log"));
        Instant end = Instant.now();
        double cpu = ProcStats.of(pid).cpuSecondsSince(before);
        log.println(target.label() + " at " + connections + " connections (round " + round
                + "), JVM stops over the step: " + JvmStops.describe(stops, start, end));
        double hitRatio = Double.NaN;
        if (service != null) {
            ServiceMetrics metricsAfter = service.metrics();
            hitRatio = metricsAfter.cacheHitRatioSince(metricsBefore);
            log.println(target.label() + " at " + connections + " connections (round " + round
                    + "), service metrics over the step:\n"
                    + metricsAfter.describeSince(metricsBefore));
        }
        print.accept(new ClosedLoopRow(target, connections, round, result, cpu, hitRatio));
    }
}
