package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.namegate.bench.ThreadCpu.Kind;

class ThreadCpuTest {

    @Test
    void threadsAreSortedByTheirLinuxNames() {
        assertThat(Kind.of("reactor-http-ep")).isEqualTo(Kind.EVENT_LOOPS);
        assertThat(Kind.of("C2 CompilerThre")).isEqualTo(Kind.JIT);
        assertThat(Kind.of("C1 CompilerThre")).isEqualTo(Kind.JIT);
        assertThat(Kind.of("GC Thread#0")).isEqualTo(Kind.GC);
        assertThat(Kind.of("G1 Conc#0")).isEqualTo(Kind.GC);
        assertThat(Kind.of("parallel-1")).isEqualTo(Kind.OTHER);
    }

    @Test
    void theDifferenceOfTwoSamplesIsSplitPerRequest() {
        long hz = ProcStats.ticksPerSecond();
        ThreadCpu before = new ThreadCpu(Map.of(Kind.EVENT_LOOPS, 10L, Kind.JIT, 5L));
        ThreadCpu after = new ThreadCpu(Map.of(Kind.EVENT_LOOPS, 10L + hz, Kind.JIT, 5L + hz / 2, Kind.GC, hz / 4));

        // one CPU second over 1,000 requests is 1 ms each
        assertThat(after.millisPerRequestSince(before, Kind.EVENT_LOOPS, 1000)).isEqualTo(1.0);
        assertThat(after.millisPerRequestSince(before, Kind.JIT, 1000)).isEqualTo(0.5);
        assertThat(after.millisPerRequestSince(before, Kind.OTHER, 1000)).isZero();
        assertThat(after.describeSince(before, 1000))
                .isEqualTo("event loops 1.000, JIT 0.500, GC 0.250, other 0.000 ms/request");
        assertThat(after.describeSince(ThreadCpu.UNKNOWN, 1000)).isEqualTo("unknown");
    }

    @Test
    void thisJvmHasCompilerAndOtherThreads() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux /proc");
        ThreadCpu sample = ThreadCpu.of(ProcessHandle.current().pid());

        assertThat(sample.known()).isTrue();
        assertThat(sample.ticks()).containsKeys(Kind.JIT, Kind.OTHER);
        assertThat(ThreadCpu.of(Long.MAX_VALUE).known()).isFalse();
    }
}
