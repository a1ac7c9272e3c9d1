package dev.namegate.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import reactor.test.scheduler.VirtualTimeScheduler;

/** The adaptive limiter in virtual time: how it cuts on a 429 and climbs back while attempts succeed. */
class AdaptiveRateLimiterTest {

    private static final long MS = 1_000_000L;

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final List<String> cuts = new ArrayList<>();

    /** Ceiling 100/s, floor 5, factor 0.5, recovery 20/s², probing 2/s², cool-down 200 ms. */
    private AdaptiveRateLimiter limiter(double burst) {
        return new AdaptiveRateLimiter(100, 5, 0.5, 20, 2, burst, 200 * MS, time,
                (from, to) -> cuts.add(Math.round(from) + "->" + Math.round(to)));
    }

    /** Sends at {@code perSecond} for one virtual second, succeeding. */
    private void send(AdaptiveRateLimiter limiter, int perSecond) {
        long step = 1_000_000_000L / perSecond;
        for (int i = 0; i < perSecond; i++) {
            assertThat(limiter.reserve(Long.MAX_VALUE)).isGreaterThanOrEqualTo(0);
            time.advanceTimeBy(Duration.ofNanos(step));
        }
    }

    @Test
    void a429FromABurstCutsTowardWhatWasSentButStaysAboveIt() {
        AdaptiveRateLimiter limiter = limiter(1);
        send(limiter, 80); // allowed 100/s, sent 80/s: pacing held nothing back
        limiter.onRateLimited();
        limiter.onRateLimited(); // the same congestion event: one cut
        assertThat(limiter.rate()).isCloseTo(88, within(0.5)); // 10% above what was sent
        assertThat(cuts).hasSize(1);

        time.advanceTimeBy(Duration.ofSeconds(2)); // recovery stops just under the 429's rate
        limiter.onSuccess();
        assertThat(limiter.rate()).isCloseTo(95 * 0.95, within(0.5));
    }

    @Test
    void farAboveWhatIsSentTheRateDropsToTwiceTheTrafficThenTheNext429PlacesTheLimit() {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(100_000, 5, 0.5, 20, 2, 1, 200 * MS, time, (a, b) -> { });
        send(limiter, 80);
        limiter.onRateLimited();
        assertThat(limiter.rate()).isCloseTo(160, within(1.0));
        time.advanceTimeBy(Duration.ofSeconds(2));
        send(limiter, 80);
        limiter.onRateLimited(); // now a burst near the traffic: 10% above what was sent
        assertThat(limiter.rate()).isCloseTo(88, within(1.0));
    }

    @Test
    void a429RightAfterOurOwnStallKeepsTheRateUnless429sKeepComing() {
        AdaptiveRateLimiter limiter = limiter(1);
        send(limiter, 100); // at the allowed rate: without the stall this 429 would halve it
        limiter.onRateLimited(true);
        assertThat(limiter.rate()).isEqualTo(100);
        assertThat(cuts).isEmpty();

        time.advanceTimeBy(Duration.ofMillis(300));
        limiter.onRateLimited(true); // a second one soon after, still stalled: kept, but counted
        assertThat(limiter.rate()).isEqualTo(100);
        time.advanceTimeBy(Duration.ofMillis(300));
        limiter.onRateLimited(true); // the third in a row: no stall excuses that
        assertThat(limiter.rate()).isEqualTo(50);
        assertThat(cuts).containsExactly("100->50");
    }

    @Test
    void withoutAStallTheSame429CutsAtOnce() {
        AdaptiveRateLimiter limiter = limiter(1);
        send(limiter, 100);
        limiter.onRateLimited(false);
        assertThat(cuts).containsExactly("100->50");
    }

    @Test
    void cutAfterCutTheRateIsShedEvenBelowTheDemand() {
        AdaptiveRateLimiter limiter = limiter(1);
        send(limiter, 80);
        limiter.onRateLimited(); // a burst: 88
        time.advanceTimeBy(Duration.ofMillis(300));
        limiter.onRateLimited(); // again soon: still toward the traffic
        time.advanceTimeBy(Duration.ofMillis(300));
        limiter.onRateLimited(); // the third in a row: the limit is below the demand
        assertThat(limiter.rate()).isLessThan(60);
    }

    @Test
    void aRateThatIsItselfTooHighIsHalvedAndTheHalvingRepeatsWhile429sKeepComing() {
        AdaptiveRateLimiter limiter = limiter(1);
        send(limiter, 100); // sending at the allowed rate: it is what holds us back
        limiter.onRateLimited();
        assertThat(limiter.rate()).isEqualTo(50);

        time.advanceTimeBy(Duration.ofMillis(300)); // another 429 soon after the cut: not enough
        limiter.onRateLimited();
        assertThat(limiter.rate()).isEqualTo(25);
        assertThat(cuts).containsExactly("100->50", "50->25");
    }

    @Test
    void recoveryIsFastUpToThePlateauThenProbesSlowly() {
        AdaptiveRateLimiter limiter = limiter(1);
        send(limiter, 100);
        limiter.onRateLimited(); // plateau 100, rate 50
        assertThat(limiter.rate()).isEqualTo(50);

        time.advanceTimeBy(Duration.ofSeconds(1));
        limiter.onSuccess();
        assertThat(limiter.rate()).isCloseTo(70, within(0.01)); // +20/s below the plateau
        time.advanceTimeBy(Duration.ofSeconds(2));
        limiter.onSuccess();
        assertThat(limiter.rate()).isCloseTo(95, within(0.01)); // capped at 95% of the plateau
        time.advanceTimeBy(Duration.ofSeconds(1));
        limiter.onSuccess();
        assertThat(limiter.rate()).isCloseTo(97, within(0.01)); // then +2/s: probing
        time.advanceTimeBy(Duration.ofSeconds(60));
        limiter.onSuccess();
        assertThat(limiter.rate()).isEqualTo(100); // never above the ceiling
    }

    @Test
    void neverCutsBelowTheFloor() {
        AdaptiveRateLimiter limiter = limiter(1);
        for (int i = 0; i < 20; i++) {
            limiter.onRateLimited();
            time.advanceTimeBy(Duration.ofMillis(250));
        }
        assertThat(limiter.rate()).isEqualTo(5);
    }

    @Test
    void permitsAreSpacedByTheRateAndRefusedWhenTheyWouldComeTooLate() {
        AdaptiveRateLimiter limiter = limiter(1);
        assertThat(limiter.reserve(0)).isZero();
        assertThat(limiter.reserve(50 * MS)).isEqualTo(10 * MS); // 100/s: one every 10 ms
        assertThat(limiter.reserve(50 * MS)).isEqualTo(20 * MS);
        assertThat(limiter.reserve(25 * MS)).isEqualTo(-1); // would be 30 ms: too late, nothing reserved
        assertThat(limiter.reserve(30 * MS)).isEqualTo(30 * MS);
    }

    @Test
    void aQuietSpellAllowsABurstButNoMore() {
        AdaptiveRateLimiter limiter = limiter(2);
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(limiter.reserve(0)).isZero();
        assertThat(limiter.reserve(0)).isZero();
        assertThat(limiter.reserve(0)).isEqualTo(-1);
        assertThat(limiter.reserve(10 * MS)).isEqualTo(10 * MS);
    }
}
