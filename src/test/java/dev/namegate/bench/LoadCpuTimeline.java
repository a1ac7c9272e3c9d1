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
 * partly the generator's. Printed under the phase's {@link LateTimeline}, slice by slice.
 */
final class LoadCpuTimeline {

    private static final Path PROC_STAT = Path.of("/proc/stat");

    private LoadCpuTimeline() {
    }

    /**
     * Starts sampling {@code cpus} (a taskset list such as {@code 1}, {@code 1,2,3} or {@code 1-3})
     * every {@code slice} on a daemon thread; {@code null} when there is nothing to sample (no
     * pinning, no {@code /proc/stat}).
     */
    static Sampler start(String cpus, Duration slice) {
        if (cpus.isEmpty() || !Files.isReadable(PROC_STAT)) {
            return null;
        }
        return new Sampler(cpuList(cpus), slice);
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
        private final List<Integer> busy = new ArrayList<>();
        // at a fixed rate, so the slices stay aligned with the phase's even when a run starts late
        // on a saturated load CPU
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "load-cpu-timeline");
            thread.setDaemon(true);
            return thread;
        });
        private long[][] before;

        private Sampler(int[] cpus, Duration slice) {
            this.cpus = cpus;
            this.sliceMillis = slice.toMillis();
            timer.execute(() -> before = readNow());
            timer.scheduleAtFixedRate(this::sample, sliceMillis, sliceMillis, TimeUnit.MILLISECONDS);
        }

        private void sample() {
            long[][] after = readNow();
            if (before != null && after != null) {
                synchronized (busy) {
                    busy.add(busiestPercent(before, after));
                }
            }
            before = after;
        }

        /** {@code /proc/stat} now; {@code null} if it could not be read, which leaves out a slice. */
        private long[][] readNow() {
            try {
                return read(Files.readAllLines(PROC_STAT), cpus);
            } catch (IOException e) {
                return null;
            }
        }

        /** Stops sampling; one line, each slice's busiest load CPU in percent ("-" where no time was counted). */
        String stop() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(1, TimeUnit.SECONDS);
            synchronized (busy) {
                return String.format(Locale.ROOT, "load CPUs, busiest, %% per %d ms: ", sliceMillis)
                        + busy.stream().map(b -> b < 0 ? "-" : b.toString()).collect(Collectors.joining(" "));
            }
        }
    }
}
