package dev.namegate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * How busy the load side's CPUs (the generator's and the simulator's) were in each slice of a
 * phase, from {@code /proc/stat}: the busiest of them per slice. A phase's generator CPU is an
 * average, and a generator core saturated for the first two seconds of an overload and half idle
 * after reads as 44% of a core; in those seconds the sends run late and the answers' latency is
 * partly the generator's. Each slice is also split by process (the generator, its JIT compiler,
 * the simulator), from {@code /proc/<pid>/task}: a saturated slice is then the generator's
 * sending, its compiling, or the simulator's answering. Printed under the phase's
 * {@link LateTimeline}, slice by slice.
 */
final class LoadCpuTimeline {

    private static final Path PROC_STAT = Path.of("/proc/stat");

    private LoadCpuTimeline() {
    }

    /**
     * The share of a core that {@code ticks} clock ticks are over {@code nanos}, in percent, or
     * {@code -1} when no time passed.
     */
    static int percentOfACore(long ticks, long nanos) {
        return nanos <= 0 ? -1 : (int) Math.round(ticks * 1e11 / ProcStats.ticksPerSecond() / nanos);
    }

    /**
     * One slice's split, for the log: the generator's share and its JIT's within it, then the
     * simulator's and its JIT's ({@code 45(12)/50(3)}); {@code -} for a simulator not sampled.
     */
    static String split(int generator, int generatorJit, int simulator, int simulatorJit) {
        return generator + "(" + generatorJit + ")/" + (simulator < 0 ? "-" : simulator + "(" + simulatorJit + ")");
    }

    /**
     * Starts sampling {@code cpus} (a taskset list such as {@code 1}, {@code 1,2,3} or {@code 1-3})
     * every {@code slice} on a daemon thread, with this process (the generator) and
     * {@code simulatorPid} (-1 for none); {@code null} when there is nothing to sample (no
     * pinning, no {@code /proc/stat}).
     */
    static Sampler start(String cpus, Duration slice, long simulatorPid) {
        if (cpus.isEmpty() || !Files.isReadable(PROC_STAT)) {
            return null;
        }
        return new Sampler(cpuList(cpus), slice, simulatorPid);
    }

    /** The CPUs of a taskset list: numbers and ranges, comma-separated. */
    static int[] cpuList(String cpus) {
        return Arrays.stream(cpus.split(",")).flatMapToInt(part -> {
            String[] range = part.trim().split("-");
            int from = Integer.parseInt(range[0]);
            return IntStream.rangeClosed(from, range.length > 1 ? Integer.parseInt(range[1]) : from);
        }).toArray();
    }

    /**
     * The busy and total jiffies of each of {@code cpus} in one reading of {@code /proc/stat}
     * ({@code [cpu][0]} busy, {@code [cpu][1]} total); a CPU not listed reads as 0 and 0.
     */
    static long[][] read(List<String> procStat, int[] cpus) {
        long[][] counts = new long[cpus.length][2];
        for (String line : procStat) {
            if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            int cpu = Integer.parseInt(fields[0].substring(3));
            for (int i = 0; i < cpus.length; i++) {
                if (cpus[i] == cpu) {
                    long total = 0;
                    // user to steal; guest time is already counted in user and nice
                    for (int f = 1; f < Math.min(fields.length, 9); f++) {
                        total += Long.parseLong(fields[f]);
                    }
                    // idle and iowait are the fourth and fifth counters
                    long idle = Long.parseLong(fields[4]) + (fields.length > 5 ? Long.parseLong(fields[5]) : 0);
                    counts[i][0] = total - idle;
                    counts[i][1] = total;
                }
            }
        }
        return counts;
    }

    /** The busiest CPU's share between two readings, in percent; -1 when no time passed. */
    static int busiestPercent(long[][] before, long[][] after) {
        int busiest = -1;
        for (int i = 0; i < before.length; i++) {
            long total = after[i][1] - before[i][1];
            if (total > 0) {
                busiest = Math.max(busiest, (int) Math.round(100.0 * (after[i][0] - before[i][0]) / total));
            }
        }
        return busiest;
    }

    /** One phase's sampling; {@link #stop()} ends it. */
    static final class Sampler {
        private final int[] cpus;
        private final long sliceMillis;
        private final long generatorPid = ProcessHandle.current().pid();
        private final long simulatorPid;
        private final List<Integer> busy = new ArrayList<>();
        private final List<String> split = new ArrayList<>();
        // at a fixed rate, so the slices stay aligned with the phase's even when a run starts late
        // on a saturated load CPU
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "load-cpu-timeline");
            thread.setDaemon(true);
            return thread;
        });
        private long[][] before;
        private long beforeNanos;
        private ThreadCpu generatorBefore = ThreadCpu.UNKNOWN;
        private ThreadCpu simulatorBefore = ThreadCpu.UNKNOWN;

        private Sampler(int[] cpus, Duration slice, long simulatorPid) {
            this.cpus = cpus;
            this.sliceMillis = slice.toMillis();
            this.simulatorPid = simulatorPid;
            timer.execute(this::readBefore);
            timer.scheduleAtFixedRate(this::sample, sliceMillis, sliceMillis, TimeUnit.MILLISECONDS);
        }

        private void readBefore() {
            before = readNow();
            beforeNanos = System.nanoTime();
            generatorBefore = ThreadCpu.of(generatorPid);
            simulatorBefore = simulatorPid > 0 ? ThreadCpu.of(simulatorPid) : ThreadCpu.UNKNOWN;
        }

        private void sample() {
            long[][] after = readNow();
            long nanos = System.nanoTime() - beforeNanos;
            ThreadCpu generator = ThreadCpu.of(generatorPid);
            ThreadCpu simulator = simulatorPid > 0 ? ThreadCpu.of(simulatorPid) : ThreadCpu.UNKNOWN;
            synchronized (busy) {
                if (before != null && after != null) {
                    busy.add(busiestPercent(before, after));
                }
                split.add(split(percentOfACore(generator.ticksSince(generatorBefore), nanos),
                        percentOfACore(generator.ticksSince(generatorBefore, ThreadCpu.Kind.JIT), nanos),
                        simulator.known() ? percentOfACore(simulator.ticksSince(simulatorBefore), nanos) : -1,
                        percentOfACore(simulator.ticksSince(simulatorBefore, ThreadCpu.Kind.JIT), nanos)));
            }
            before = after;
            beforeNanos += nanos;
            generatorBefore = generator;
            simulatorBefore = simulator;
        }

        /** {@code /proc/stat} now; {@code null} if it could not be read, which leaves out a slice. */
        private long[][] readNow() {
            try {
                return read(Files.readAllLines(PROC_STAT), cpus);
            } catch (IOException e) {
                return null;
            }
        }

        /**
         * Stops sampling; two lines: each slice's busiest load CPU in percent ("-" where no time
         * was counted), and each slice split by process.
         */
        List<String> stop() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(1, TimeUnit.SECONDS);
            synchronized (busy) {
                return List.of(String.format(Locale.ROOT, "load CPUs, busiest, %% per %d ms: ", sliceMillis)
                        + busy.stream().map(b -> b < 0 ? "-" : b.toString()).collect(Collectors.joining(" ")),
                        String.format(Locale.ROOT, "load processes, %% of a core per %d ms, the generator (its JIT) / "
                                + "the simulator (its JIT): ", sliceMillis) + String.join(" ", split));
            }
        }
    }
}
