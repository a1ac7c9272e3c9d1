package dev.namegate.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The sequence mode's course: one simulator and one service for every scenario, as a service in
 * production meets them. For each scenario in turn the running simulator is switched to its
 * failure mode ({@code PUT /_sim/scenario}), the scenario's load runs unmeasured for the settle
 * time, then measured; the load pauses only to drain between phases. Before the first scenario a
 * warm-up ramps up to its rate. At the end, when the sequence measured healthy, the simulator itself
 * is measured at the last healthy row's rate with its ids (the {@code direct} row; the simulator is
 * switched back to healthy first if the sequence ended elsewhere), so the service's cost on the
 * healthy path can be judged within one run without leaving the service idle between scenarios.
 */
final class SequenceRun {

    /** The warm-up ramps from this share of the rate up to the full rate. */
    static final double WARMUP_START_FRACTION = 0.05;
    static final String MODE = BenchOptions.Mode.SEQUENCE.label();

    /**
     * What the load goes to.
     *
     * @param target      the service's public API (or, in tests, anything that answers like it)
     * @param process     the service process, sampled for CPU and metrics; {@code null} for none
     * @param checks      how each scenario's answers are judged
     * @param direct      the simulator's own API for the direct row; {@code null} for no such row
     * @param directCheck how the direct row's answers are judged
     * @param stops       the JVMs on the requests' path whose stops each phase prints; none in tests
     */
    record Targets(Target target, ServiceProcess process, Function<Scenario, ResponseCheck> checks, Target direct,
            ResponseCheck directCheck, List<JvmStops> stops) {
        Targets {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(checks, "checks");
            stops = List.copyOf(stops);
        }

        long pid() {
            return process == null ? -1 : process.pid();
        }
    }

    private final BenchOptions options;
    private final SimulatorControl simulator;
    private final Targets targets;
    private final PhaseMeter meter;
    private final PrintStream log;
    private long nextSeed = 1;

    SequenceRun(BenchOptions options, SimulatorControl simulator, Targets targets, PrintStream log) {
        this.options = Objects.requireNonNull(options, "options");
        this.simulator = Objects.requireNonNull(simulator, "simulator");
        this.targets = Objects.requireNonNull(targets, "targets");
        this.log = Objects.requireNonNull(log, "log");
        this.meter = new PhaseMeter(simulator, log, targets.stops());
    }

    /**
     * Runs every scenario of the options in order and returns the rows, also handing each to
     * {@code onRow} as soon as it is measured.
     *
     * @throws IOException if the simulator refuses a switch or its counters cannot be read; the
     *                     rows measured so far have been handed over
     */
    List<Summary> run(Consumer<Summary> onRow) throws IOException, InterruptedException {
        List<Summary> rows = new ArrayList<>();
        Scenario healthy = Scenarios.named("healthy");
        LoadPlan lastHealthy = null;
        Scenario last = null;
        try (OpenLoopLoad load = new OpenLoopLoad(targets.target(), options.connections(), options.timeout())) {
            warmUp(load);
            for (Scenario scenario : options.scenarios()) {
                log.println("switched to " + scenario.name() + ": " + simulator.switchTo(scenario));
                double rate = options.rateOf(scenario);
                IdMix ids = scenario.ids(options.ids());
                ResponseCheck check = targets.checks().apply(scenario);
                settle(load, rate, ids, check);
                LoadPlan measured = plan(rate, options.duration());
                Summary row = meter.measure(scenario.name(), MODE, measured, load, ids, check, targets.process(),
                        targets.pid());
                rows.add(row);
                onRow.accept(row);
                last = scenario;
                if (scenario.equals(healthy)) {
                    lastHealthy = measured;
                }
            }
        }
        if (targets.direct() != null && lastHealthy != null) {
            if (!healthy.equals(last)) {
                log.println("switched back to healthy for the direct row: " + simulator.switchTo(healthy));
            }
            Summary direct = direct(healthy, lastHealthy, healthy.ids(options.ids()));
            rows.add(direct);
            onRow.accept(direct);
        }
        return rows;
    }

    /**
     * Healthy traffic at the warm-up rate before the story begins, so the first scenario meets a
     * service whose JIT has compiled the request path (at 100 requests/s that takes minutes); a
     * ramp, so a cold JVM (ours or the service's) is not knocked over by full load.
     */
    private void warmUp(OpenLoopLoad load) throws IOException, InterruptedException {
        if (options.warmup().isZero()) {
            return;
        }
        Scenario healthy = Scenarios.named("healthy");
        log.println("warm-up on " + healthy.name() + ": " + simulator.switchTo(healthy));
        load.run(plan(options.warmupRate(), options.warmup()).rampingFrom(WARMUP_START_FRACTION),
                healthy.ids(options.ids()), targets.checks().apply(healthy));
    }

    /** The simulator measured without the service, with a healthy row's rate and ids (same seed). */
    private Summary direct(Scenario scenario, LoadPlan healthy, IdMix ids) throws IOException, InterruptedException {
        try (OpenLoopLoad load = new OpenLoopLoad(targets.direct(), options.connections(), options.timeout())) {
            settle(load, healthy.rate(), ids, targets.directCheck());
            return meter.measure(scenario.name(), BenchOptions.Mode.DIRECT.label(), healthy, load, ids,
                    targets.directCheck(), null, -1);
        }
    }

    private void settle(OpenLoopLoad load, double rate, IdMix ids, ResponseCheck check) throws InterruptedException {
        if (!options.settle().isZero()) {
            load.run(plan(rate, options.settle()), ids, check);
        }
    }

    /** Every phase its own seed, so no phase replays the ids of another. */
    private LoadPlan plan(double rate, Duration duration) {
        return new LoadPlan(rate, duration, LoadPlan.DEFAULT_SLO, nextSeed++);
    }
}
