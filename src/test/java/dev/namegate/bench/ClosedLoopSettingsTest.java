package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import javax.imageio.ImageIO;

import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The closed-loop sweep's options, service set-up, rows, plot and HAProxy configuration: no process started. */
class ClosedLoopSettingsTest {

    @TempDir
    Path dir;

    @Test
    void theClosedLoopDefaultsToTheIssuesMethodOnEveryTargetWithTheServicePinnedToCpu0() {
        BenchOptions defaults = BenchOptions.parse("--closed-loop");

        assertThat(defaults.mode()).isEqualTo(BenchOptions.Mode.CLOSED_LOOP);
        assertThat(defaults.steps()).containsExactly(4, 8, 16, 32, 64, 256);
        assertThat(defaults.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.warmup()).isEqualTo(Duration.ofSeconds(120));
        assertThat(defaults.warmupConnections()).isEqualTo(256);
        assertThat(defaults.serviceCpu()).hasValue(0);
        assertThat(defaults.targets()).containsExactly(ClosedLoopTarget.MISSES, ClosedLoopTarget.HITS,
                ClosedLoopTarget.NAIVE, ClosedLoopTarget.NAIVE_HITS, ClosedLoopTarget.HAPROXY, ClosedLoopTarget.DIRECT);
        assertThat(BenchOptions.parse().steps()).as("the open loop has no steps").isEmpty();
        assertThat(BenchOptions.parse().duration()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void stepsDurationWarmUpAndTargetsCanBeGivenAndRunInTheTargetsOrder() {
        BenchOptions given = BenchOptions.parse("--closed-loop", "--steps=32,4", "--duration=3s", "--warmup=0s",
                "--targets=naive,misses,naive", "--service-cpu=1");

        assertThat(given.steps()).containsExactly(32, 4);
        assertThat(given.warmupConnections()).isEqualTo(32);
        assertThat(given.duration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(given.warmup()).isZero();
        assertThat(given.targets()).containsExactly(ClosedLoopTarget.MISSES, ClosedLoopTarget.NAIVE);
        assertThat(given.serviceCpu()).hasValue(1);
    }

    @Test
    void interleavingPairsTheMissesWithNaiveProxyStepByStepAndNeedsBoth() {
        assertThat(BenchOptions.parse("--closed-loop").interleave()).isFalse();
        assertThat(BenchOptions.parse("--closed-loop", "--interleave", "--targets=misses,naive,haproxy").interleave())
                .isTrue();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BenchOptions.parse("--closed-loop", "--interleave", "--targets=misses,haproxy"))
                .withMessageContaining("--interleave");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--interleave"))
                .withMessageContaining("only with --closed-loop");
    }

    @Test
    void roundsRepeatTheStepsOfAClosedLoopOnly() {
        assertThat(BenchOptions.parse("--closed-loop").rounds()).isEqualTo(1);
        BenchOptions three = BenchOptions.parse("--closed-loop", "--steps=32,64,256", "--rounds=3");
        assertThat(three.stepCount()).isEqualTo(9);
        assertThat(IntStream.range(0, 9).map(three::stepConnections)).as("every other round backwards")
                .containsExactly(32, 64, 256, 256, 64, 32, 32, 64, 256);
        assertThat(IntStream.range(0, 9).map(three::stepRound)).containsExactly(1, 1, 1, 2, 2, 2, 3, 3, 3);
        assertThat(BenchOptions.parse("--rounds=1").rounds()).isEqualTo(1);
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--closed-loop", "--rounds=0"))
                .withMessageContaining("--rounds: at least 1");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--sweep=100,200", "--rounds=2"))
                .withMessageContaining("only with --closed-loop");
    }

    @Test
    void badClosedLoopOptionsAreRefusedNamingTheOption() {
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--closed-loop", "--steps=0,4"))
                .withMessageContaining("--steps");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--closed-loop", "--steps=4,4"))
                .withMessageContaining("--steps: each number of connections once");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--closed-loop", "--steps=four"))
                .withMessageContaining("--steps=four");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--closed-loop", "--duration=2500ms"))
                .withMessageContaining("whole seconds");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--closed-loop", "--targets=nginx"))
                .withMessageContaining("unknown target 'nginx'; known: misses,hits,naive,naive-hits,haproxy,direct");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--closed-loop", "--sweep=100"))
                .withMessageContaining("--steps");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--closed-loop", "--naive"))
                .withMessageContaining("one mode at a time");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--steps=4"))
                .withMessageContaining("belong to --closed-loop");
    }

    @Test
    void theSweepsServiceCountsIdsOverFiveSecondsOnAFixedHeapUnlessTold() {
        BenchOptions defaults = BenchOptions.parse("--closed-loop");
        assertThat(ClosedLoopSweep.serviceArgs(defaults)).containsExactly("--namegate.limits.quota.window=5s");
        assertThat(defaults.serviceJvmArgs()).containsExactly("-Xms1g", "-Xmx1g", "-XX:MaxTenuringThreshold=1", "-XX:+UseTransparentHugePages",
                "-XX:MetaspaceSize=64m");
        assertThat(BenchOptions.parse("--sweep=5000,10000").serviceJvmArgs()).as("the open loop's too")
                .isEqualTo(defaults.serviceJvmArgs());

        BenchOptions given = BenchOptions.parse("--closed-loop",
                "--service-args=--namegate.limits.quota.window=2s --namegate.cache.enabled=false",
                "--service-jvm-args=-Xmx2g");
        assertThat(ClosedLoopSweep.serviceArgs(given)).as("one value per property: Spring would join two")
                .containsExactly("--namegate.limits.quota.window=2s", "--namegate.cache.enabled=false");
        assertThat(given.serviceJvmArgs()).containsExactly("-Xmx2g");
    }

    @Test
    void aRowReportsCorrectAnswersCpuPerRequestAndFlagsAWrkNearlyOutOfCpu() {
        long ticks = ProcStats.ticksPerSecond();
        WrkResult calm = result(10_000_000, 100_000, 40, 10, ticks * 5);
        WrkResult busy = result(10_000_000, 100_000, 0, 0, ticks * 95 / 10);

        ClosedLoopRow row = new ClosedLoopRow(ClosedLoopTarget.MISSES, 32, 2, calm, 4.0, 0.001);
        assertThat(row.wrkBusy()).isFalse();
        assertThat(row.serviceCpuMicrosPerRequest()).isEqualTo(40.0);
        assertThat(row.markdownRow())
                .isEqualTo("| namegate misses | 32 | 2 | 10,000 | 9,995 | 40 | 10 | 2.50 | 9.00 | 40 | 0.50 | 0.1% |");
        assertThat(new ClosedLoopRow(ClosedLoopTarget.HAPROXY, 256, 1, busy, Double.NaN, Double.NaN).markdownRow())
                .isEqualTo("| HAProxy | 256 | 1 | 10,000 | 10,000 | 0 | 0 | 2.50 | 9.00 | – | 0.95 **busy** | – |");
        assertThat(ClosedLoopRow.HEADER.lines().findFirst().orElseThrow().split("\\|")).hasSize(13);
    }

    @Test
    void thePlotHasAThroughputAndALatencyPanelWithASeriesPerTargetAndPercentile() throws Exception {
        List<ClosedLoopRow> rows = List.of(
                new ClosedLoopRow(ClosedLoopTarget.MISSES, 4, 1, result(10_000_000, 11_000, 0, 0, 10), 1, 0),
                new ClosedLoopRow(ClosedLoopTarget.MISSES, 32, 1, result(10_000_000, 52_000, 704, 0, 10), 1, 0),
                new ClosedLoopRow(ClosedLoopTarget.NAIVE, 4, 1, result(10_000_000, 31_000, 0, 0, 10), 1, Double.NaN),
                new ClosedLoopRow(ClosedLoopTarget.NAIVE, 32, 1, result(10_000_000, 0, 0, 0, 10), 1, Double.NaN),
                new ClosedLoopRow(ClosedLoopTarget.MISSES, 32, 2, result(10_000_000, 62_000, 0, 0, 10), 1, 0));

        CombinedDomainXYPlot plot = (CombinedDomainXYPlot) ClosedLoopPlot.chart(rows).getPlot();
        List<XYPlot> panels = plot.getSubplots();
        assertThat(panels).hasSize(2);
        assertThat(panels.get(0).getDataset().getSeriesCount()).isEqualTo(2);
        assertThat(panels.get(0).getDataset().getYValue(0, 1)).as("the mean of the rounds")
                .isCloseTo((5_129.6 + 6_200) / 2, org.assertj.core.data.Offset.offset(0.1));
        assertThat(panels.get(0).getDataset().getItemCount(0)).isEqualTo(2);
        assertThat(panels.get(1).getDataset().getSeriesCount()).isEqualTo(4);
        assertThat(panels.get(0).getDataset().getItemCount(1)).as("no answer is 0 correct/s").isEqualTo(2);
        assertThat(panels.get(1).getDataset().getItemCount(2)).as("but no latency").isEqualTo(1);

        BufferedImage image = ImageIO.read(ClosedLoopPlot.write(rows, dir.resolve("closed-loop.png")).toFile());
        assertThat(image.getWidth()).isEqualTo(ClosedLoopPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(ClosedLoopPlot.HEIGHT);
    }

    @Test
    void everyTargetOfAFullSweepHasAColourOfItsOwn() {
        List<ClosedLoopRow> rows = Arrays.stream(ClosedLoopTarget.values())
                .map(target -> new ClosedLoopRow(target, 4, 1, result(10_000_000, 10_000, 0, 0, 10), 1, Double.NaN))
                .toList();

        XYPlot throughput = ((CombinedDomainXYPlot) ClosedLoopPlot.chart(rows).getPlot()).getSubplots().get(0);
        assertThat(IntStream.range(0, rows.size()).mapToObj(series -> throughput.getRenderer().getSeriesPaint(series)))
                .doesNotContainNull().doesNotHaveDuplicates();
    }

    @Test
    void haproxyRewritesThePublicPathToTheInternalContractOverEveryAddress() {
        String config = HaproxyProcess.config(18080, List.of("http://127.0.0.1:9001", "http://127.0.0.1:9002"));

        assertThat(config).contains("nbthread 1", "bind 127.0.0.1:18080", "http-request set-method POST",
                "http-request replace-path /users/(.*) /\\1", "server s0 127.0.0.1:9001", "server s1 127.0.0.1:9002",
                "http-reuse always");
    }

    /** A 10 s wrk result with p50 2.5 ms and p99 9 ms. */
    private static WrkResult result(long durationMicros, long requests, long non2xx, long readErrors, long cpuTicks) {
        return new WrkResult(Duration.ofNanos(durationMicros * 1000), requests, non2xx, 0, readErrors, 0, 0, 2_500,
                9_000, 20_000, cpuTicks);
    }
}
