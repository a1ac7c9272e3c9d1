package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

import dev.namegate.simulator.SimulatorSettings;
import dev.namegate.simulator.SimulatorSettingsParser;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.QueryStringDecoder;

/** Options, scenarios, /proc sampling and the table row: the parts of a run that need no network. */
class SettingsAndReportTest {

    @Test
    void optionsDefaultToASequenceOfEveryScenarioEndingHealthyAndOverrideTheirRate() {
        BenchOptions defaults = BenchOptions.parse();
        assertThat(defaults.mode()).isEqualTo(BenchOptions.Mode.SEQUENCE);
        assertThat(defaults.scenarios()).extracting(Scenario::name).containsExactly("healthy", "flaky",
                "rate-limited", "slow", "bad-instances", "unknown-ids", "storm", "outage", "healthy");
        assertThat(defaults.rateOf(Scenarios.named("storm"))).isEqualTo(80.0);
        assertThat(defaults.rateOf(Scenarios.named("rate-limited"))).isEqualTo(60.0);
        assertThat(defaults.duration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.warmup()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.warmupRate()).isEqualTo(1000);
        assertThat(defaults.settle()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.ids()).isEqualTo(KnownIds.UNIFORM);
        assertThat(defaults.serviceArgs()).isEmpty();

        BenchOptions given = BenchOptions.parse("--scenarios=flaky,outage", "--rate=250", "--duration=500ms",
                "--warmup=0s", "--settle=2s", "--direct", "--service-cpu=0", "--ids=zipf:1000:1.2");
        assertThat(given.scenarios()).extracting(Scenario::name).containsExactly("flaky", "outage");
        assertThat(given.rateOf(Scenarios.named("storm"))).isEqualTo(250.0);
        assertThat(given.duration()).isEqualTo(Duration.ofMillis(500));
        assertThat(given.warmup()).isZero();
        assertThat(given.settle()).isEqualTo(Duration.ofSeconds(2));
        assertThat(given.direct()).isTrue();
        assertThat(given.serviceCpu()).hasValue(0);
        assertThat(given.ids()).isEqualTo(new KnownIds.Zipf(1000, 1.2));
    }

    @Test
    void aSweepOpensTheGeneratorsWholePoolBeforehandAndOtherRunsOpenItAsNeeded() {
        assertThat(BenchOptions.parse().openConnections()).isZero();
        assertThat(BenchOptions.parse("--fresh").openConnections()).isZero();
        assertThat(BenchOptions.parse("--closed-loop").openConnections()).isZero();
        assertThat(BenchOptions.parse("--sweep=6000,12000").openConnections()).isEqualTo(OpenLoopLoad.DEFAULT_CONNECTIONS);
        assertThat(BenchOptions.parse("--sweep=6000,12000", "--connections=2000").openConnections()).isEqualTo(2000);
        assertThat(BenchOptions.parse("--sweep=6000,12000", "--open-connections=0").openConnections()).isZero();
        assertThat(BenchOptions.parse("--sweep=6000,12000", "--open-connections=3000").openConnections())
                .isEqualTo(3000);
        assertThatThrownBy(() -> BenchOptions.parse("--connections=100", "--open-connections=101"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--open-connections");
        assertThatThrownBy(() -> BenchOptions.parse("--open-connections=-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--open-connections");
        assertThatThrownBy(() -> BenchOptions.parse("--closed-loop", "--open-connections=10"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wrk opens its own");
    }

    @Test
    void freshRunsEveryScenarioOnceAndASweepIsFreshUnlessToldOtherwise() {
        assertThat(BenchOptions.parse("--fresh").mode()).isEqualTo(BenchOptions.Mode.FRESH);
        assertThat(BenchOptions.parse("--fresh").scenarios()).isEqualTo(Scenarios.all());
        assertThat(BenchOptions.parse("--scenarios=all").scenarios()).isEqualTo(Scenarios.sequence());
        assertThat(BenchOptions.parse("--scenarios=healthy", "--sweep=100,200").mode())
                .isEqualTo(BenchOptions.Mode.FRESH);
        assertThat(BenchOptions.parse("--naive", "--sweep=100,200").mode()).isEqualTo(BenchOptions.Mode.NAIVE);
        assertThat(BenchOptions.parse("--scenarios=healthy,healthy").scenarios()).hasSize(2);
    }

    @Test
    void aCpuQuotaIsAPercentageOfOneCpuForAFreshRunOrASweep() {
        assertThat(BenchOptions.parse("--scenarios=healthy", "--sweep=100,200", "--service-cpu-quota=25")
                .serviceCpuQuota()).hasValue(25);
        assertThat(BenchOptions.parse("--fresh").serviceCpuQuota()).isEmpty();
        assertThatThrownBy(() -> BenchOptions.parse("--fresh", "--service-cpu-quota=0"))
                .hasMessageContaining("1 to 100");
        assertThatThrownBy(() -> BenchOptions.parse("--fresh", "--service-cpu-quota=101"))
                .hasMessageContaining("1 to 100");
        assertThatThrownBy(() -> BenchOptions.parse("--service-cpu-quota=25"))
                .hasMessageContaining("not a sequence run");
        assertThatThrownBy(() -> BenchOptions.parse("--closed-loop", "--service-cpu-quota=25"))
                .hasMessageContaining("not a closed-loop run");
    }

    @Test
    void eachRateOfASweepAsksForIdsOfItsOwnNotTheOnesAnEarlierRateCached() {
        BenchOptions sweep = BenchOptions.parse("--scenarios=healthy", "--sweep=600,100,300", "--warmup=10s");
        Scenario healthy = Scenarios.named("healthy");
        List<LoadPlan> plans = sweep.measuredPlans(healthy);

        assertThat(plans).extracting(LoadPlan::rate).containsExactly(600.0, 100.0, 300.0);
        List<Long> seeds = new ArrayList<>(plans.stream().map(LoadPlan::seed).toList());
        seeds.add(sweep.warmupPlan(healthy).seed());
        assertThat(seeds).as("the warm-up's and every rate's seed").doesNotHaveDuplicates();
        IdMix ids = healthy.ids();
        assertThat(firstIds(ids, plans.get(0))).doesNotContainAnyElementsOf(firstIds(ids, plans.get(1)));
        assertThat(sweep.warmupPlan(healthy).rate()).as("the warm-up ramps to the first rate").isEqualTo(600.0);
    }

    private static List<Long> firstIds(IdMix ids, LoadPlan plan) {
        LongSupplier generator = ids.generator(plan.seed());
        return LongStream.generate(generator).limit(100).boxed().toList();
    }

    @Test
    void badOptionsAreRefusedByName() {
        assertThatThrownBy(() -> BenchOptions.parse("--scenarios=nope")).hasMessageContaining("nope");
        assertThatThrownBy(() -> BenchOptions.parse("--rate=-1")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> BenchOptions.parse("--frobnicate")).hasMessageContaining("--frobnicate");
        assertThatThrownBy(() -> BenchOptions.parse("--fresh", "--direct")).hasMessageContaining("one mode at a time");
        assertThatThrownBy(() -> BenchOptions.parse("--settle=-1s")).hasMessageContaining("--settle");
        assertThatThrownBy(() -> BenchOptions.parse("--ids=zipf")).hasMessageContaining("--ids=zipf")
                .hasMessageContaining("zipf:<ids>[:<exponent>]");
        assertThatThrownBy(() -> BenchOptions.parse("--ids=zipf:1000:0")).hasMessageContaining("exponent must be > 0");
        assertThatThrownBy(() -> BenchOptions.parse("--ids=zipf:ten")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> BenchOptions.parse("--ids=zipf:3000000000")).hasMessageContaining("at most");
    }

    @Test
    void everyScenarioRunsOnOneSimulatorSetupAndSwitchesWithTheSameNamesItStartsWith() {
        Scenario storm = Scenarios.named("storm");

        assertThat(storm.fullSimulatorArgs()).startsWith("--instances=8", "--switchable-instances=3",
                "--users=1000000000").contains("--scenario=flaky,rate-limited,slow,bad-instances,closing,unknown-ids",
                "--rate-limit=150");
        assertThat(storm.switchQuery()).startsWith("scenario=flaky%2Crate-limited%2Cslow%2Cbad-instances")
                .contains("&rate-limit=150&");
        assertThat(Scenarios.named("unknown-ids").unknownFraction()).isEqualTo(1.0);
        assertThatThrownBy(() -> new Scenario("x", List.of("users=10"), 1, 0, false))
                .hasMessageContaining("same for every scenario");
        // the simulator accepts every scenario as it is started and as it is switched to
        for (Scenario scenario : Scenarios.all()) {
            SimulatorSettings started = SimulatorSettingsParser.parseArgs(scenario.fullSimulatorArgs().toArray(String[]::new));
            SimulatorSettings switched = SimulatorSettingsParser.parseRuntime(queryParameters(scenario.switchQuery()),
                    SimulatorSettingsParser.parseArgs(Scenarios.SIMULATOR_SETUP.toArray(String[]::new)));
            assertThat(switched).as(scenario.name()).isEqualTo(started);
        }
        assertThat(SimulatorSettingsParser.parseArgs(Scenarios.named("bad-instances").fullSimulatorArgs()
                .toArray(String[]::new)).badInstances()).isTrue();
        assertThat(SimulatorSettingsParser.parseArgs(Scenarios.named("healthy").fullSimulatorArgs()
                .toArray(String[]::new)).badInstances()).isFalse();
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
        LoadResult load = new LoadResult(1000, 990, 980, 6, 4, latencies, latencies, 1200, Map.of(), Map.of(),
                new CacheCounts(990, 600, 3), LateTimeline.NONE);
        Summary summary = Summary.of("flaky", "sequence", 100, load, 1520, 4, 0.0123, 0.08);

        String row = summary.markdownRow();
        String header = Summary.markdownHeader().lines().findFirst().orElseThrow();
        assertThat(row.chars().filter(c -> c == '|').count()).isEqualTo(header.chars().filter(c -> c == '|').count());
        assertThat(row).startsWith("| flaky | sequence | 100 | 1000 | 990 (99.0%) | 980 (98.0%) | 6 (0.6%) | 4 (0.4%) | 50.0 |");
        assertThat(row).endsWith("| 1.52 | 4 (0.3%) | 60.0% + 0.3% stale | 0.012 | 8% | 1.2 |");
        assertThat(Summary.of("x", "direct", 1, load, -1, -1, Double.NaN, 0.01).markdownRow())
                .endsWith("| – | – | 60.0% + 0.3% stale | – | 1% | 1.2 |");
        LoadResult uncached = new LoadResult(1000, 990, 980, 6, 4, latencies, latencies, 1200, Map.of(), Map.of(), CacheCounts.NONE,
                LateTimeline.NONE);
        assertThat(Summary.of("x", "direct", 1, uncached, 1000, 0, Double.NaN, 0.01).markdownRow())
                .endsWith("| 1.00 | 0 (0.0%) | – | – | 1% | 1.2 |");
    }

    @Test
    void aSweepRateIsSustainableWithP99Within100MsAndAtLeast999PerMilleCorrect() {
        Summary fine = row(2000, 20000, 19990, 19990, 99.9);
        Summary slow = row(4000, 40000, 40000, 39000, 100.1);
        Summary wrong = row(3000, 30000, 29960, 29960, 20);
        assertThat(fine.sustainable()).isTrue();
        assertThat(slow.sustainable()).isFalse();
        assertThat(wrong.sustainable()).isFalse();
        assertThat(slow.goodputPerSecond(java.time.Duration.ofSeconds(10))).isEqualTo(3900);
    }

    private static Summary row(double rate, long requests, long correct, long correctWithinSlo, double p99) {
        return new Summary("healthy", "fresh", rate, requests, correct, correctWithinSlo, requests - correct, 0, 1, p99,
                120, 150, requests, 0, 0.0, 0.0, 0.3, 0.1, 0.5);
    }

    private static Map<String, String> queryParameters(String query) {
        Map<String, String> parameters = new LinkedHashMap<>();
        new QueryStringDecoder("?" + query).parameters().forEach((name, values) -> parameters.put(name, values.get(0)));
        return parameters;
    }
}
