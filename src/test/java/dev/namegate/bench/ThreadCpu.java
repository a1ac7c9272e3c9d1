package dev.namegate.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A process's CPU time split by the kind of thread that spent it, from {@code /proc/<pid>/task}.
 * The whole-process figure mixes the request path with the JIT compiler and the collector, which
 * dominate a young JVM on one core and swamp a few percent of difference in the request path; the
 * event loops' share alone is the cost of serving. Threads that ended between two samples are
 * missing from the later one, so only long-lived kinds (event loops) compare exactly.
 */
public record ThreadCpu(Map<Kind, Long> ticks) {

    public static final ThreadCpu UNKNOWN = new ThreadCpu(Map.of());

    /** Thread kinds by their Linux name ({@code comm}, at most 15 characters). */
    public enum Kind {
        EVENT_LOOPS("event loops"), JIT("JIT"), GC("GC"), OTHER("other");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        static Kind of(String comm) {
            if (comm.startsWith("reactor-http-")) {
                return EVENT_LOOPS;
            }
            if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                return JIT;
            }
            if (comm.startsWith("GC ") || comm.startsWith("G1 ")) {
                return GC;
            }
            return OTHER;
        }
    }

    public ThreadCpu {
        ticks = Map.copyOf(ticks);
    }

    public static ThreadCpu of(long pid) {
        Map<Kind, Long> sums = new EnumMap<>(Kind.class);
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String comm = Files.readString(task.resolve("comm")).strip();
                    long spent = ProcStats.cpuTicks(Files.readString(task.resolve("stat")));
                    sums.merge(Kind.of(comm), spent, Long::sum);
                } catch (IOException | RuntimeException threadEnded) {
                    // a thread that ended while we listed them: its time is lost to both samples
                }
            }
        } catch (IOException | RuntimeException gone) {
            return UNKNOWN;
        }
        return new ThreadCpu(sums);
    }

    public boolean known() {
        return !ticks.isEmpty();
    }

    /** Clock ticks of one kind of thread since {@code before}; 0 when either sample is unknown. */
    long ticksSince(ThreadCpu before, Kind kind) {
        return known() && before.known() ? ticks.getOrDefault(kind, 0L) - before.ticks.getOrDefault(kind, 0L) : 0;
    }

    /** Clock ticks of all threads since {@code before}; 0 when either sample is unknown. */
    long ticksSince(ThreadCpu before) {
        long spent = 0;
        for (Kind kind : Kind.values()) {
            spent += ticksSince(before, kind);
        }
        return spent;
    }

    /** CPU milliseconds of one kind between {@code before} and this sample, per request. */
    public double millisPerRequestSince(ThreadCpu before, Kind kind, long requests) {
        if (!known() || !before.known() || requests <= 0) {
            return Double.NaN;
        }
        return ticksSince(before, kind) * 1000.0 / ProcStats.ticksPerSecond() / requests;
    }

    /** For the log: {@code event loops 0.412, JIT 0.050, GC 0.010, other 0.020 ms/request}. */
    public String describeSince(ThreadCpu before, long requests) {
        if (!known() || !before.known()) {
            return "unknown";
        }
        StringJoiner parts = new StringJoiner(", ", "", " ms/request");
        for (Kind kind : Kind.values()) {
            parts.add(String.format(Locale.ROOT, "%s %.3f", kind.label, millisPerRequestSince(before, kind, requests)));
        }
        return parts.toString();
    }
}
