package dev.namegate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of a process, read from Linux {@code /proc}. Values of a finished or
 * foreign process, or on a system without {@code /proc}, are {@link #UNKNOWN}.
 *
 * @param cpuTicks  utime + stime, in clock ticks (see {@link #ticksPerSecond()})
 * @param vmHwmKiB  peak resident set size (VmHWM), KiB
 * @param vmRssKiB  resident set size now (VmRSS), KiB
 */
public record ProcStats(long cpuTicks, long vmHwmKiB, long vmRssKiB) {

    public static final ProcStats UNKNOWN = new ProcStats(-1, -1, -1);

    private static volatile long ticksPerSecond;

    public boolean known() {
        return cpuTicks >= 0;
    }

    public static ProcStats of(long pid) {
        try {
            long ticks = cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
            long hwm = -1;
            long rss = -1;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                } else if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                }
            }
            return new ProcStats(ticks, hwm, rss);
        } catch (IOException | RuntimeException gone) {
            return UNKNOWN;
        }
    }

    /** utime + stime of a {@code /proc/<pid>/stat} or {@code /proc/<pid>/task/<tid>/stat} line, in clock ticks. */
    static long cpuTicks(String stat) {
        // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // After the name, field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The number of a {@code /proc/<pid>/status} line such as {@code VmHWM:    1234 kB}. */
    private static long kib(String statusLine) {
        return Long.parseLong(statusLine.substring(statusLine.indexOf(':') + 1).replace("kB", "").trim());
    }

    /** {@code getconf CLK_TCK}, asked once; 100 when getconf is missing (the Linux default). */
    public static long ticksPerSecond() {
        long cached = ticksPerSecond;
        if (cached > 0) {
            return cached;
        }
        long value = 100;
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            if (getconf.waitFor() == 0 && out.matches("[0-9]+")) {
                value = Long.parseLong(out);
            }
        } catch (IOException e) {
            // keep the default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ticksPerSecond = value;
        return value;
    }

    /** CPU seconds spent since the process started. */
    public double cpuSeconds() {
        return known() ? (double) cpuTicks / ticksPerSecond() : Double.NaN;
    }

    /** CPU seconds spent between {@code before} and this sample. */
    public double cpuSecondsSince(ProcStats before) {
        if (!known() || !before.known()) {
            return Double.NaN;
        }
        return (double) (cpuTicks - before.cpuTicks) / ticksPerSecond();
    }

    public double peakRssMiB() {
        return vmHwmKiB < 0 ? Double.NaN : vmHwmKiB / 1024.0;
    }

    public double rssMiB() {
        return vmRssKiB < 0 ? Double.NaN : vmRssKiB / 1024.0;
    }
}
