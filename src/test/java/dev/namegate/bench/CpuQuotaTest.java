package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files a quota writes, in a directory laid out as a cgroup hierarchy (the kernel's own is not a test's). */
class CpuQuotaTest {

    @TempDir
    Path root;

    @Test
    void aV1GroupGetsAQuotaOfTheShareOfA10msPeriodAndTheProcess() throws IOException {
        CpuQuota quota = CpuQuota.hold(root, false, 4242, 25);
        Path group = root.resolve("namegate-bench-4242");
        assertThat(group.resolve("cpu.cfs_period_us")).hasContent("10000");
        assertThat(group.resolve("cpu.cfs_quota_us")).hasContent("2500");
        assertThat(group.resolve("cgroup.procs")).hasContent("4242");
        assertThat(quota).hasToString(group.toString());

        closeAsTheKernelWould(quota, group);
        assertThat(root.resolve("cgroup.procs")).as("moved back").hasContent("4242");
        assertThat(group).doesNotExist();
    }

    @Test
    void aV2GroupGetsOneCpuMaxLine() throws IOException {
        CpuQuota quota = CpuQuota.hold(root, true, 7, 40);
        Path group = root.resolve("namegate-bench-7");
        assertThat(group.resolve("cpu.max")).hasContent("4000 10000");
        assertThat(group.resolve("cgroup.procs")).hasContent("7");
        assertThat(group.resolve("cpu.cfs_quota_us")).doesNotExist();
        closeAsTheKernelWould(quota, group);
        assertThat(group).doesNotExist();
    }

    /** A cgroup's files vanish with it; a plain directory's must go first. */
    private static void closeAsTheKernelWould(CpuQuota quota, Path group) throws IOException {
        try (var files = Files.list(group)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        quota.close();
    }
}
