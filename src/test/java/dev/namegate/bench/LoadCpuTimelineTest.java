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
        assertThat(LoadCpuTimeline.start("", Duration.ofMillis(500))).isNull();
    }

    @Test
    void aSamplerStopsWithAFigureForEachSliceItSaw() throws InterruptedException {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")), "a Linux /proc");
        LoadCpuTimeline.Sampler sampler = LoadCpuTimeline.start("0", Duration.ofMillis(50));
        Thread.sleep(200); // real time: the sampler reads the kernel's counters
        String line = sampler.stop();

        // "-" for a slice in which the kernel's counters did not move
        assertThat(line).matches("load CPUs, busiest, % per 50 ms: (\\d+|-)( (\\d+|-))*");
    }
}
