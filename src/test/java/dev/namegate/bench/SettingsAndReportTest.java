package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Options, id mix, /proc sampling and the table row: the parts of a run that need no network. */
class SettingsAndReportTest {

    @Test
    void optionsDefaultToEveryScenarioAndOverrideTheirRate() {
        BenchOptions defaults = BenchOptions.parse();
        assertThat(defaults.scenarios()).extracting(Scenario::name).containsExactly("healthy", "flaky", "slow",
                "bad-instances", "unknown-ids", "outage", "rate-limited", "storm");
        assertThat(defaults.rateOf(Scenarios.named("storm"))).isEqualTo(80.0);
        assertThat(defaults.duration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.warmup()).isEqualTo(Duration.ofSeconds(3));

        BenchOptions given = BenchOptions.parse("--scenarios=flaky,outage", "--rate=250", "--duration=500ms",
                "--warmup=0s", "--direct", "--service-cpu=0");
        assertThat(given.scenarios()).extracting(Scenario::name).containsExactly("flaky", "outage");
        assertThat(given.rateOf(Scenarios.named("storm"))).isEqualTo(250.0);
        assertThat(given.duration()).isEqualTo(Duration.ofMillis(500));
        assertThat(given.warmup()).isZero();
        assertThat(given.direct()).isTrue();
        assertThat(given.serviceCpu()).hasValue(0);
    }

    @Test
    void badOptionsAreRefusedByName() {
        assertThatThrownBy(() -> BenchOptions.parse("--scenarios=nope")).hasMessageContaining("nope");
        assertThatThrownBy(() -> BenchOptions.parse("--rate=-1")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> BenchOptions.parse("--frobnicate")).hasMessageContaining("--frobnicate");
    }

    @Test
    void simulatorUsersComeFromTheScenarioSoBothSidesAgree() {
        assertThat(Scenarios.named("unknown-ids").fullSimulatorArgs()).contains("--users=1000");
        assertThat(Scenarios.named("unknown-ids").unknownFraction()).isEqualTo(1.0);
    }

    @Test
    void aConstantPlanSpacesRequestsEvenlyAndARampEndsAtItsDuration() {
        LoadPlan constant = LoadPlan.of(200, Duration.ofSeconds(1));
        assertThat(constant.count()).isEqualTo(200);
        assertThat(constant.intendedOffsetNanos(100)).isEqualTo(500_000_000L);

        LoadPlan ramp = LoadPlan.of(1000, Duration.ofSeconds(2)).rampingFrom(0.1);
        assertThat(ramp.count()).isEqualTo(1100);
        assertThat(ramp.intendedOffsetNanos(0)).isZero();
        assertThat(ramp.intendedOffsetNanos(ramp.count())).isBetween(1_999_000_000L, 2_001_000_000L);
        // Slow at first: the first 10% of requests take far more than 10% of the time.
        assertThat(ramp.intendedOffsetNanos(110)).isGreaterThan(500_000_000L);
        assertThatThrownBy(() -> LoadPlan.of(10, Duration.ofSeconds(1)).rampingFrom(0))
                .hasMessageContaining("startRate");
    }

    @Test
    void idMixDrawsKnownAndUnknownIdsInTheGivenShare() {
        SplittableRandom random = new SplittableRandom(1);
        IdMix mix = new IdMix(1000, 0.1);
        int unknown = 0;
        for (int i = 0; i < 100_000; i++) {
            long id = mix.next(random);
            assertThat(id).isBetween(1L, 2000L);
            if (id > 1000) {
                unknown++;
            }
        }
        assertThat(unknown).isBetween(9_000, 11_000);
        assertThat(new IdMix(1000, 1.0).next(random)).isGreaterThan(1000);
        assertThat(IdMix.knownOnly(1000).next(random)).isBetween(1L, 1000L);
    }

    @Test
    void procStatsReadsThisJvmsCpuAndMemory() {
        ProcStats self = ProcStats.of(ProcessHandle.current().pid());
        assertThat(self.known()).isTrue();
        assertThat(self.vmHwmKiB()).isPositive();
        assertThat(self.vmRssKiB()).isPositive().isLessThanOrEqualTo(self.vmHwmKiB());
        assertThat(ProcStats.ticksPerSecond()).isPositive();
        assertThat(ProcStats.of(Long.MAX_VALUE)).isEqualTo(ProcStats.UNKNOWN);
    }

    @Test
    void aSummaryRendersAsOneRowWithTheHeadersColumnCount() {
        Histogram latencies = new Histogram(60_000_000L, 3);
        for (int i = 1; i <= 1000; i++) {
            latencies.recordValue(i * 100L);
        }
        LoadResult load = new LoadResult(1000, 990, 980, 6, 4, latencies, 12, java.util.Map.of(), java.util.Map.of());
        Summary summary = Summary.of("flaky", "service", 100, load, 1.52, 0, 0.0123, 210.4);

        String row = summary.markdownRow();
        String header = Summary.markdownHeader().lines().findFirst().orElseThrow();
        assertThat(row.chars().filter(c -> c == '|').count()).isEqualTo(header.chars().filter(c -> c == '|').count());
        assertThat(row).startsWith("| flaky | service | 100 | 1000 | 990 (99.0%) | 980 (98.0%) | 6 (0.6%) | 4 (0.4%) | 50.0 |");
        assertThat(row).contains("| 1.52 | 0 | 0.012 | 210 |");
        assertThat(Summary.of("x", "direct", 1, load, Double.NaN, -1, Double.NaN, Double.NaN).markdownRow())
                .endsWith("| – | – | – | – |");
    }

    @Test
    void aSweepRateIsSustainableWithP99Within100MsAndAtLeast999PerMilleCorrect() {
        Summary fine = new Summary("healthy", "service", 2000, 20000, 19990, 19990, 10, 0, 1, 99.9, 120, 150,
                1, 0, 0.3, 300);
        Summary slow = new Summary("healthy", "service", 4000, 40000, 40000, 39000, 0, 0, 1, 100.1, 120, 150,
                1, 0, 0.3, 300);
        Summary wrong = new Summary("healthy", "service", 3000, 30000, 29960, 29960, 40, 0, 1, 20, 30, 40,
                1, 0, 0.3, 300);
        assertThat(fine.sustainable()).isTrue();
        assertThat(slow.sustainable()).isFalse();
        assertThat(wrong.sustainable()).isFalse();
        assertThat(slow.goodputPerSecond(java.time.Duration.ofSeconds(10))).isEqualTo(3900);
    }
}
