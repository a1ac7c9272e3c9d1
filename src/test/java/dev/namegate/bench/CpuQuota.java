package dev.namegate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Holds one process to a share of one CPU, from {@link #hold} until {@link #close}, through a
 * cgroup of its own: a CFS quota of that share of a 10 ms period, so the process is stopped in
 * slices shorter than its attempts' timeouts rather than for most of a 100 ms default period. It
 * lowers what the service sustains until the open-loop generator, on the other CPU, can offer it
 * twice that. Needs root and the {@code cpu} controller: cgroup v1 at {@code /sys/fs/cgroup/cpu},
 * or v2 with {@code cpu} in the root's {@code cgroup.subtree_control}. Hand-written: it is three
 * small files the kernel reads.
 */
final class CpuQuota implements AutoCloseable {

    static final long PERIOD_MICROS = 10_000;
    private static final Path V1 = Path.of("/sys/fs/cgroup/cpu");
    private static final Path V2 = Path.of("/sys/fs/cgroup");

    private final Path root;
    private final Path group;
    private final long pid;

    private CpuQuota(Path root, Path group, long pid) {
        this.root = root;
        this.group = group;
        this.pid = pid;
    }

    /** Holds {@code pid} to {@code percent}% of one CPU, in this machine's cgroup hierarchy. */
    static CpuQuota hold(long pid, int percent) throws IOException {
        if (Files.isRegularFile(V1.resolve("cpu.cfs_quota_us"))) {
            return hold(V1, false, pid, percent);
        }
        Path controllers = V2.resolve("cgroup.subtree_control");
        if (Files.isRegularFile(controllers) && Files.readString(controllers).matches("(?s).*\\bcpu\\b.*")) {
            return hold(V2, true, pid, percent);
        }
        throw new IOException("no cgroup cpu controller to cap the service with: cgroup v1 at " + V1
                + ", or v2 with cpu in " + controllers + "; and root to write them");
    }

    /** As {@link #hold(long, int)} under {@code root}, a v2 hierarchy ({@code cpu.max}) or a v1 one. */
    static CpuQuota hold(Path root, boolean v2, long pid, int percent) throws IOException {
        Path group = root.resolve("namegate-bench-" + pid);
        Files.createDirectories(group);
        long quota = PERIOD_MICROS * percent / 100;
        if (v2) {
            write(group.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
        } else {
            write(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
            write(group.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        }
        write(group.resolve("cgroup.procs"), Long.toString(pid));
        return new CpuQuota(root, group, pid);
    }

    /** The process back in the root group, if it still runs, and its group removed. */
    @Override
    public void close() throws IOException {
        try {
            write(root.resolve("cgroup.procs"), Long.toString(pid));
        } catch (IOException ended) {
            // a process that has ended leaves its group empty: nothing to move
        }
        Files.deleteIfExists(group);
    }

    @Override
    public String toString() {
        return group.toString();
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardCharsets.US_ASCII);
    }
}
