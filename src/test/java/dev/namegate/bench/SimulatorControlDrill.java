package dev.namegate.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a measured phase asks of the simulator at its edges (a reset of its counters, then a read
 * of them), sent through a warm-up at a period. A warm-up of only lookups leaves the simulator a
 * JIT profile with no control request in it, and the first phases' edges then deoptimize its
 * compiled request path (Netty's HTTP decoder and encoder, Reactor Netty's traffic handler, its
 * own handler): for one to three seconds after each edge it ran interpreted and recompiled, at
 * 50-70% of the load's core, and the answers' latency charged that to the service under test
 * (docs/benchmarks.md). The service's own such requests are {@link OperatorTraffic}.
 */
final class SimulatorControlDrill implements AutoCloseable {

    /** Often enough to be in the profile of every compile of the warm-up. */
    static final Duration PERIOD = Duration.ofSeconds(1);

    private final SimulatorControl control;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "simulator-control-drill");
        thread.setDaemon(true);
        return thread;
    });

    private SimulatorControlDrill(SimulatorControl control) {
        this.control = control;
    }

    /** Starts the drill: a round at once, then one every {@code period}, until {@link #close()}. */
    static SimulatorControlDrill start(SimulatorControl control, Duration period) {
        SimulatorControlDrill drill = new SimulatorControlDrill(control);
        drill.timer.scheduleWithFixedDelay(drill::round, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        return drill;
    }

    private void round() {
        try {
            control.resetCounters();
            control.counters();
            rounds.incrementAndGet();
        } catch (IOException e) {
            failures.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Rounds that were answered. */
    long rounds() {
        return rounds.get();
    }

    /** Rounds the simulator did not answer (a drill that fails leaves the profile as it was, and the run goes on). */
    long failures() {
        return failures.get();
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(15, TimeUnit.SECONDS);
    }
}
