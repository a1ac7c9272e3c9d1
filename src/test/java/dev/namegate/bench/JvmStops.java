package dev.namegate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a child JVM stopped all its threads, from its safepoint log ({@code -Xlog:safepoint}):
 * every collection and every other stop (deoptimisation, code cache clean-up), each with its cause.
 * A step that fails after a stall can then tell whether it was a JVM's (the service's or the
 * simulator's) or neither's (the host, the kernel, or a queue in the service itself).
 */
final class JvmStops {

    /** {@code [2026-12-06T03:55:35.311+0000] Safepoint "CollectForMetadataAllocation", ..., Total: 35773797 ns} */
    private static final Pattern STOP = Pattern.compile("^\\[([^]]+)].*Safepoint \"([^\"]+)\".*Total: (\\d+) ns");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private final String who;
    private final Path file;

    private JvmStops(String who, Path file) {
        this.who = who;
        this.file = file;
    }

    /** The stops of the JVM whose output goes to {@code outputLog}, logged beside it as {@code <name>.stops.log}. */
    static JvmStops beside(String who, Path outputLog) {
        String name = outputLog.getFileName().toString().replaceFirst("\\.log$", "");
        return new JvmStops(who, outputLog.resolveSibling(name + ".stops.log"));
    }

    /**
     * The JVM option that writes the log: one file, not rotated (a stop is a line, a few hundred
     * kilobytes an hour), its path quoted as it may hold a colon, which -Xlog splits on.
     */
    String jvmOption() {
        return "-Xlog:safepoint:file=\"" + file.toAbsolutePath() + "\":time:filecount=0";
    }

    Path file() {
        return file;
    }

    /** For the log: each JVM's {@link Summary#describe()} over {@code [from, to]}, joined by {@code ; }. */
    static String describe(List<JvmStops> jvms, Instant from, Instant to) throws IOException {
        StringBuilder described = new StringBuilder();
        for (JvmStops jvm : jvms) {
            described.append(described.isEmpty() ? "" : "; ").append(jvm.between(from, to).describe());
        }
        return described.toString();
    }

    /** The stops that ended within {@code [from, to]}. */
    Summary between(Instant from, Instant to) throws IOException {
        int count = 0;
        long totalNanos = 0;
        long longestNanos = 0;
        String longestCause = "";
        for (String line : lines()) {
            Matcher stop = STOP.matcher(line);
            if (!stop.find()) {
                continue;
            }
            Instant at;
            try {
                at = OffsetDateTime.parse(stop.group(1), TIME).toInstant();
            } catch (DateTimeParseException notOurs) {
                continue;
            }
            if (at.isBefore(from) || at.isAfter(to)) {
                continue;
            }
            long nanos = Long.parseLong(stop.group(3));
            count++;
            totalNanos += nanos;
            if (nanos > longestNanos) {
                longestNanos = nanos;
                longestCause = stop.group(2);
            }
        }
        return new Summary(who, count, totalNanos, longestNanos, longestCause);
    }

    private List<String> lines() throws IOException {
        try {
            return Files.readAllLines(file);
        } catch (NoSuchFileException notYet) {
            return List.of();
        }
    }

    /**
     * @param who          whose JVM, e.g. {@code simulator}
     * @param count        stops within the window
     * @param totalNanos   their time together
     * @param longestNanos the longest one's
     * @param longestCause its VM operation, e.g. {@code GenCollectForAllocation} (a young collection)
     */
    record Summary(String who, int count, long totalNanos, long longestNanos, String longestCause) {

        /** For the log: {@code simulator 3 stops, 36.1 ms in all, the longest 35.8 ms (CollectForMetadataAllocation)}. */
        String describe() {
            if (count == 0) {
                return who + " no stop";
            }
            return String.format(Locale.ROOT, "%s %d stop%s, %.1f ms in all, the longest %.1f ms (%s)", who, count,
                    count == 1 ? "" : "s", totalNanos / 1e6, longestNanos / 1e6, longestCause);
        }
    }
}
