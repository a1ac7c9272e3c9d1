package dev.namegate.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Measures one phase of load and makes its table row: zeroes the simulator's counters before it,
 * samples the service's CPU, threads and metrics and the generator's CPU around it, and prints on
 * stderr what the row cannot hold (wrong answers by status, failures by cause, every simulator
 * counter, service CPU by thread kind, the service's metrics that changed, the stops of the JVMs
 * on the requests' path).
 */
final class PhaseMeter {

    private final SimulatorControl simulator;
    private final long simulatorPid;
    private final PrintStream log;
    private final String loadCpus;
    private final List<JvmStops> stops;

    /**
     * @param simulator the simulator behind the target, whose counters give the upstream columns
     * @param log       where the per-phase details go (stderr)
     * @param stops     the JVMs on the requests' path (the one under test, the simulator) whose
     *                  stops over each phase are printed
     */
    PhaseMeter(SimulatorControl simulator, PrintStream log, List<JvmStops> stops) {
        this(simulator, -1, log, "", stops);
    }

    /**
     * @param simulatorPid the simulator's process, whose share of the load CPUs is printed slice by slice
     * @param loadCpus     the CPUs of the generator and the simulator ({@link CpuPinning#othersCpus()}),
     *                     whose busiest share is printed slice by slice; empty for none
     */
    PhaseMeter(SimulatorControl simulator, long simulatorPid, PrintStream log, String loadCpus, List<JvmStops> stops) {
        this.simulator = Objects.requireNonNull(simulator, "simulator");
        this.simulatorPid = simulatorPid;
        this.log = Objects.requireNonNull(log, "log");
        this.loadCpus = Objects.requireNonNull(loadCpus, "loadCpus");
        this.stops = List.copyOf(stops);
    }

    /**
     * Runs {@code plan} on {@code load} and returns its row.
     *
     * @param service the service process behind the target, or {@code null} when there is none
     *                (direct) or it is not ours to sample (naive: {@code cpuPid} only)
     * @param cpuPid  the process whose CPU the row reports, or -1
     */
    Summary measure(String scenario, String mode, LoadPlan plan, OpenLoopLoad load, IdMix ids, ResponseCheck check,
            ServiceProcess service, long cpuPid) throws IOException, InterruptedException {
        // Earlier phases have all finished (run() drains), so none of their requests leak into these counters.
        simulator.resetCounters();
        ServiceMetrics metricsBefore = service != null ? service.metrics() : null;
        ProcStats before = cpuPid > 0 ? ProcStats.of(cpuPid) : ProcStats.UNKNOWN;
        ThreadCpu threadsBefore = cpuPid > 0 ? ThreadCpu.of(cpuPid) : ThreadCpu.UNKNOWN;
        long self = ProcessHandle.current().pid();
        ProcStats generatorBefore = ProcStats.of(self);
        LoadCpuTimeline.Sampler loadCpu = LoadCpuTimeline.start(loadCpus, OpenLoopLoad.TIMELINE_SLICE, simulatorPid);
        // on the wall clock too, to line the phase's slices up with the service's own logs
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        LoadResult result;
        List<String> loadCpuLines;
        try {
            result = load.run(plan, ids, check);
        } finally {
            loadCpuLines = loadCpu == null ? List.of() : loadCpu.stop();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Instant endedAt = Instant.now();
        ProcStats after = cpuPid > 0 ? ProcStats.of(cpuPid) : ProcStats.UNKNOWN;
        ThreadCpu threadsAfter = cpuPid > 0 ? ThreadCpu.of(cpuPid) : ThreadCpu.UNKNOWN;
        // The generator's own cost: if it nears a full core, the numbers measure us, not them.
        double generatorCpu = ProcStats.of(self).cpuSecondsSince(generatorBefore);
        SimulatorCounters counters = simulator.counters();
        log.printf(Locale.ROOT, "%s (%s) at %.0f/s from %s: generator CPU %.2f s in %.1f s; max send lag %d µs; "
                + "p99 %.1f ms from the intended send, %.1f ms from the actual one (answers only); "
                + "wrong by status %s; failures %s; cache %s; simulator %s%s%n", scenario, mode, plan.rate(),
                startedAt, generatorCpu, seconds, result.maxSendLagMicros(), result.percentileMillis(99),
                result.answeredPercentileMillis(99), result.wrongByStatus(), result.failureCauses(),
                result.cache(), counters.all(), cpuPid > 0 ? String.format(Locale.ROOT,
                        "; CPU by thread: %s; RSS %.0f MiB (peak %.0f)",
                        threadsAfter.describeSince(threadsBefore, result.requests()), after.rssMiB(),
                        after.peakRssMiB()) : "");
        if (result.lateTimeline().totalLate() > 0) {
            log.println(scenario + " " + result.lateTimeline().describe());
        }
        for (String line : loadCpuLines) {
            log.println(scenario + " " + line);
        }
        if (!stops.isEmpty()) {
            log.println(scenario + " JVM stops over the phase: " + JvmStops.describe(stops, startedAt, endedAt));
        }
        if (service != null) {
            log.println(scenario + " service metrics over the phase:\n" + service.metrics().describeSince(metricsBefore));
        }
        double cpuPer1000 = after.cpuSecondsSince(before) * 1000.0 / result.requests();
        return Summary.of(scenario, mode, plan.rate(), result, counters.attempts(), counters.rateLimited(),
                cpuPer1000, generatorCpu / seconds);
    }
}
