package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class LoadCpuTimelineTest {

    private static List<String> procStat(String cpu1) {
        return List.of(
                "cpu  900 0 300 5000 100 0 0 0 0 0",
                "cpu0 800 0 200 1000 50 0 0 0 0 0",
                cpu1,
                "intr 12345 0 0",
                "ctxt 999");
    }

    @Test
    void readsTheBusyAndTotalJiffiesOfTheListedCpusOnly() {
        long[][] counts = LoadCpuTimeline.read(procStat("cpu1 100 5 50 4000 50 3 2 0 0 0"), new int[] {1});

        // user 100 + nice 5 + system 50 + irq 3 + softirq 2 busy; idle 4000 and iowait 50 not
        assertThat(counts[0]).containsExactly(160, 4210);
        // guest 70 and guest_nice 5 are already within user and nice: not counted again
        assertThat(LoadCpuTimeline.read(procStat("cpu1 100 5 50 4000 50 3 2 0 70 5"), new int[] {1})[0])
                .containsExactly(160, 4210);
    }

    @Test
    void theBusiestCpuBetweenTwoReadingsIsTheShareOfItsTimeNotIdle() {
        int[] cpus = {0, 1};
        long[][] before = LoadCpuTimeline.read(procStat("cpu1 100 0 0 4000 0 0 0 0 0 0"), cpus);
        long[][] after = LoadCpuTimeline.read(List.of(
                "cpu0 810 0 200 1040 50 0 0 0 0 0", // 10 busy of 50: 20%
                "cpu1 145 0 0 4005 0 0 0 0 0 0"), cpus); // 45 busy of 50: 90%

        assertThat(LoadCpuTimeline.busiestPercent(before, after)).isEqualTo(90);
        assertThat(LoadCpuTimeline.busiestPercent(before, before)).isEqualTo(-1);
    }

    @Test
    void aCpuListNamesNumbersAndRanges() {
        assertThat(LoadCpuTimeline.cpuList("1")).containsExactly(1);
        assertThat(LoadCpuTimeline.cpuList("1,3")).containsExactly(1, 3);
        assertThat(LoadCpuTimeline.cpuList("1-3,5")).containsExactly(1, 2, 3, 5);
    }

    @Test
    void nothingIsSampledWithoutPinning() {
        assertThat(LoadCpuTimeline.start("", Duration.ofMillis(500), -1)).isNull();
    }

    @Test
    void aSlicesSplitIsEachProcessShareOfACore() {
        long perSecond = ProcStats.ticksPerSecond();
        long halfSecond = Duration.ofMillis(500).toNanos();

        assertThat(LoadCpuTimeline.percentOfACore(perSecond / 4, halfSecond)).isEqualTo(50);
        assertThat(LoadCpuTimeline.percentOfACore(5, 0)).isEqualTo(-1);
        assertThat(LoadCpuTimeline.split(45, 12, 50, 3)).isEqualTo("45(12)/50(3)");
        assertThat(LoadCpuTimeline.split(45, 0, -1, -1)).as("no simulator").isEqualTo("45(0)/-");
    }

    @Test
    void aSamplerStopsWithAFigureForEachSliceItSaw() throws InterruptedException {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")), "a Linux /proc");
        long self = ProcessHandle.current().pid();
        LoadCpuTimeline.Sampler sampler = LoadCpuTimeline.start("0", Duration.ofMillis(50), self);
        Thread.sleep(200); // real time: the sampler reads the kernel's counters
        List<String> lines = sampler.stop();

        // "-" for a slice in which the kernel's counters did not move
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("load CPUs, busiest, % per 50 ms: (\\d+|-)( (\\d+|-))*");
        assertThat(lines.get(1)).matches("load processes, % of a core per 50 ms, the generator \\(its JIT\\) / the simulator "
                + "\\(its JIT\\): \\d+\\(\\d+\\)/\\d+\\(\\d+\\)( \\d+\\(\\d+\\)/\\d+\\(\\d+\\))*");
    }
}
