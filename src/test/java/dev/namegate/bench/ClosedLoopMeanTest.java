package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The closed-loop sweep's means over rounds: grouping, means, spreads and shares of the best mean. */
class ClosedLoopMeanTest {

    @Test
    void eachTargetAndConnectionsIsAveragedOverItsRoundsAndComparedWithItsOwnBestMean() {
        List<ClosedLoopRow> rows = List.of(
                row(ClosedLoopTarget.MISSES, 256, 1, 80_000, 0, 50_000),
                row(ClosedLoopTarget.NAIVE, 256, 1, 120_000, 0, 40_000),
                row(ClosedLoopTarget.MISSES, 32, 1, 100_000, 0, 8_000),
                row(ClosedLoopTarget.NAIVE, 32, 1, 100_000, 0, 9_000),
                row(ClosedLoopTarget.MISSES, 256, 2, 90_000, 1_000, 70_000),
                row(ClosedLoopTarget.NAIVE, 256, 2, 110_000, 0, 30_000),
                row(ClosedLoopTarget.MISSES, 32, 2, 110_000, 0, 10_000),
                row(ClosedLoopTarget.NAIVE, 32, 2, 100_000, 0, 9_000));

        List<ClosedLoopMean> means = ClosedLoopMean.of(rows);

        assertThat(means).extracting(ClosedLoopMean::target, ClosedLoopMean::connections).as("targets as met, connections up")
                .containsExactly(tuple(ClosedLoopTarget.MISSES, 32),
                        tuple(ClosedLoopTarget.MISSES, 256),
                        tuple(ClosedLoopTarget.NAIVE, 32),
                        tuple(ClosedLoopTarget.NAIVE, 256));
        ClosedLoopMean misses256 = means.get(1);
        assertThat(misses256.steps()).hasSize(2);
        assertThat(misses256.correctPerSecond()).as("(8,000 + 8,900) / 2").isEqualTo(8_450.0);
        assertThat(misses256.lowestCorrectPerSecond()).isEqualTo(8_000.0);
        assertThat(misses256.highestCorrectPerSecond()).isEqualTo(8_900.0);
        assertThat(misses256.shareOfPeak(means)).as("against the misses' 10,500 at 32, not NaiveProxy's 11,500")
                .isCloseTo(8_450.0 / 10_500, offset(1e-9));
        assertThat(misses256.p99Millis()).isEqualTo(60.0);
        assertThat(misses256.highestP99Millis()).isEqualTo(70.0);
        assertThat(misses256.non2xx()).isEqualTo(1_000);
        assertThat(means.get(3).shareOfPeak(means)).isEqualTo(1.0);

        assertThat(ClosedLoopMean.table(means)).contains(
                "| namegate misses | 256 | 2 | 8,450 | 8,000 – 8,900 | 80% | 2.50 | 60.00 | 70.00 | 1,000 |",
                "| NaiveProxy | 256 | 2 | 11,500 | 11,000 – 12,000 | 100% | 2.50 | 35.00 | 40.00 | 0 |");
        assertThat(ClosedLoopMean.HEADER.lines().findFirst().orElseThrow().split("\\|")).hasSize(11);
    }

    @Test
    void stepsWithoutAnswersCountAsNoneAndHaveNoLatency() {
        ClosedLoopMean silent = new ClosedLoopMean(ClosedLoopTarget.HAPROXY, 4,
                List.of(row(ClosedLoopTarget.HAPROXY, 4, 1, 0, 0, 0)));

        assertThat(silent.correctPerSecond()).isZero();
        assertThat(silent.p50Millis()).isNaN();
        assertThat(silent.shareOfPeak(List.of(silent))).isNaN();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ClosedLoopMean(ClosedLoopTarget.MISSES, 4, List.of()));
    }

    /** A 10 s step with p50 2.5 ms. */
    private static ClosedLoopRow row(ClosedLoopTarget target, int connections, int round, long requests, long non2xx,
            long p99Micros) {
        WrkResult wrk = new WrkResult(Duration.ofSeconds(10), requests, non2xx, 0, 0, 0, 0, 2_500, p99Micros, p99Micros,
                10);
        return new ClosedLoopRow(target, connections, round, wrk, 1, Double.NaN);
    }
}
