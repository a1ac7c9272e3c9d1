package dev.namegate.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import reactor.test.scheduler.VirtualTimeScheduler;

/** The AIMD limiter in virtual time: it halves on a 429 and climbs back while attempts succeed. */
class AdaptiveRateLimiterTest {

    private static final long MS = 1_000_000L;

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final List<String> cuts = new ArrayList<>();

    private AdaptiveRateLimiter limiter(double burst) {
        return new AdaptiveRateLimiter(100, 5, 0.5, 10, burst, 200 * MS, time,
                (from, to) -> cuts.add(Math.round(from) + "->" + Math.round(to)));
    }

    /** Sends at {@code perSecond} for one virtual second. */
    private void send(AdaptiveRateLimiter limiter, int perSecond) {
        long step = 1_000_000_000L / perSecond;
        for (int i = 0; i < perSecond; i++) {
            assertThat(limiter.reserve(Long.MAX_VALUE)).isGreaterThanOrEqualTo(0);
            time.advanceTimeBy(Duration.ofNanos(step));
        }
    }

    @Test
    void aBurstyA429CutsToTheMeasuredRateThenTheRateItselfIsHalvedAndClimbsBack() {
        AdaptiveRateLimiter limiter = limiter(1);
        assertThat(limiter.rate()).isEqualTo(100);
        send(limiter, 80);

        // allowed 100/s, sent ~80/s: the 429 came from bursts, so pace at what is really sent
        limiter.onRateLimited();
        limiter.onRateLimited(); // the same congestion event: no second cut
        assertThat(limiter.rate()).isCloseTo(76, within(5.0));

        // now sending at the allowed rate: a 429 means the rate is too high: halve it
        time.advanceTimeBy(Duration.ofMillis(300));
        send(limiter, 70);
        double before = limiter.rate();
        limiter.onRateLimited();
        assertThat(limiter.rate()).isCloseTo(before / 2, within(0.5));
        assertThat(cuts).hasSize(2);

        // 10 requests/s more per second of success
        double halved = limiter.rate();
        time.advanceTimeBy(Duration.ofSeconds(2));
        limiter.onSuccess();
        assertThat(limiter.rate()).isCloseTo(halved + 20, within(0.01));
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

        limiter.onRateLimited(); // 5 permits in the last second: cut to the floor, 5/s, 200 ms apart
        assertThat(limiter.rate()).isEqualTo(5);
        assertThat(limiter.reserve(1000 * MS)).isEqualTo(40 * MS);
        assertThat(limiter.reserve(1000 * MS)).isEqualTo(240 * MS);
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
