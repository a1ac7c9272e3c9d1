package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A run is refused before it starts when its later rows would measure the key's quota. */
class IdBudgetTest {

    @Test
    void theDefaultSequenceAsksForAboutFortyEightThousandIdsAndFitsWhatTheServiceCounts() {
        BenchOptions defaults = BenchOptions.parse();
        // warm-up 60 s ramping 50 -> 1,000/s: 31,500; then 20 s at 100/s per scenario (60/s, 80/s)
        assertThat(IdBudget.distinctIdsPerService(defaults)).isEqualTo(31_500 + 6 * 2_000 + 1_200 + 1_600 + 2_000);
        assertThat(IdBudget.quota(defaults)).as("the key's million, capped by max-tracked-ids").hasValue(500_000);
        assertThat(IdBudget.overrun(defaults)).isEmpty();
    }

    @Test
    void aRunThatWouldCrossWhatTheServiceCountsIsRefusedWithWhatToChange() {
        BenchOptions long2000 = BenchOptions.parse("--scenarios=healthy", "--rate=2000", "--duration=10m");

        assertThat(IdBudget.distinctIdsPerService(long2000)).isGreaterThan(1_200_000);
        assertThat(IdBudget.overrun(long2000)).hasValueSatisfying(message -> assertThat(message)
                .contains("counts for the key (500,000", "--key-attributes", "max-tracked-ids", "--ids=zipf"));
        assertThat(IdBudget.quota(BenchOptions.parse("--service-args=--namegate.limits.quota.max-tracked-ids=2000000")))
                .hasValue(1_000_000);
        assertThat(IdBudget.overrun(BenchOptions.parse("--scenarios=healthy", "--rate=2000", "--duration=10m",
                "--ids=zipf:100000:1.0"))).as("a hot set asks for at most its ids").isEmpty();
    }

    @Test
    void aKeyWithoutIdsPerDayHasTheServiceDefaultAndNoServiceMeansNoQuota() {
        BenchOptions defaultQuota = BenchOptions.parse("--key-attributes=rate=1000000 burst=1000000");
        assertThat(IdBudget.quota(defaultQuota)).hasValue(10_000);
        assertThat(IdBudget.overrun(defaultQuota)).isPresent();
        assertThat(IdBudget.quota(BenchOptions.parse("--key-attributes=rate=5",
                "--service-args=--namegate.limits.quota.ids-per-day=50000"))).hasValue(50_000);
        assertThat(IdBudget.quota(BenchOptions.parse("--service-args=--namegate.limits.enabled=false"))).isEmpty();
        assertThat(IdBudget.quota(BenchOptions.parse("--direct", "--rate=5000", "--duration=10m"))).isEmpty();
    }

    @Test
    void aSweepCountsEachScenariosOwnServiceWarmUpAndEveryRate() {
        BenchOptions sweep = BenchOptions.parse("--scenarios=healthy,storm", "--sweep=1000,2000", "--warmup=10s",
                "--duration=60s");
        // one service per scenario: 10 s ramping 50 -> 1000/s, then 60 s at each rate
        assertThat(IdBudget.distinctIdsPerService(sweep)).isEqualTo(5_250 + 60_000 + 120_000);
        assertThat(IdBudget.overrun(sweep)).isEmpty();
    }

    @Test
    void aShortQuotaWindowBoundsWhatTheQuotaHoldsByTheFastestRateOverOneWindow() {
        // 15 s at 16,000/s is 240,000 new ids, and the sweep asks for over 700,000 in all: a 5 s
        // window holds at most 80,000 of them
        BenchOptions overload = BenchOptions.parse("--scenarios=healthy", "--sweep=8000,16000", "--warmup=150s",
                "--duration=15s", "--service-args=--namegate.limits.quota.window=5s");
        assertThat(IdBudget.distinctIdsPerService(overload)).isGreaterThan(700_000);
        assertThat(IdBudget.idsPerWindow(overload)).isEqualTo(80_000);
        assertThat(IdBudget.overrun(overload)).isEmpty();
        assertThat(IdBudget.overrun(BenchOptions.parse("--scenarios=healthy", "--sweep=8000,16000", "--warmup=150s",
                "--duration=15s"))).as("a day's window holds them all").isPresent();
    }

    @Test
    void aClosedLoopFitsWhenTheQuotaWindowAdmitsMoreNewIdsPerSecondThanACoreServes() {
        // 500,000 ids (max-tracked-ids caps the key's million) per 5 s window: 100,000 new ids/s
        assertThat(IdBudget.overrun(BenchOptions.parse("--closed-loop"))).isEmpty();

        assertThat(IdBudget.overrun(BenchOptions.parse("--closed-loop",
                "--service-args=--namegate.limits.quota.window=24h"))).hasValueSatisfying(message -> assertThat(message)
                        .contains("at 6 new ids/s", "namegate.limits.quota.window of PT24H", "100,000/s"));
        assertThat(IdBudget.overrun(BenchOptions.parse("--closed-loop", "--targets=hits,naive",
                "--service-args=--namegate.limits.quota.window=24h"))).as("hits ask for 1,000 ids").isEmpty();
        assertThat(IdBudget.overrun(BenchOptions.parse("--closed-loop",
                "--service-args=--namegate.limits.quota.window=24h --namegate.limits.enabled=false"))).isEmpty();
    }
}
