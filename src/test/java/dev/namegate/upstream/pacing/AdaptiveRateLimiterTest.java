package dev.namegate.upstream.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import org.junit.jupiter.api.Test;

import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.upstream.UpstreamProperties;

/** The adaptive limiter in virtual time: how it cuts on a 429 and climbs back while attempts succeed. */
class AdaptiveRateLimiterTest {

    private static final long MS = 1_000_000L;
    /** Sequences of arrivals a model test is judged over: one alone is luck, good or bad. */
    private static final int ARRIVAL_SEQUENCES = 8;

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final List<String> cuts = new ArrayList<>();
    private final List<Long> releases = new ArrayList<>();

    /**
     * Ceiling 100/s, floor 5, factor 0.5, recovery 20/s², probing 2/s², cool-down 200 ms, a
     * plateau kept for a minute without 429s, demand averaged over 5 s.
     */
    private AdaptiveRateLimiter limiter(double burst) {
        return limiter(100, burst, Duration.ofMinutes(1));
    }

    private AdaptiveRateLimiter limiter(double ceiling, double burst, Duration forgetAfter) {
        return new AdaptiveRateLimiter(settings(ceiling, burst, forgetAfter), time, new AdaptiveRateLimiter.RateListener() {
            @Override
            public void rateCut(double from, double to) {
                cuts.add(Math.round(from) + "->" + Math.round(to));
            }

            @Override
            public void rateReleased(double from) {
                releases.add(Math.round(from));
            }
        });
    }

    /**
     * As {@link #limiter(double)}, growing twofold per second once no 429 came for {@code
     * forgetAfter}, and released to the ceiling after ten times that (the defaults' ratio).
     */
    static UpstreamProperties.RateLimit settings(double ceiling, double burst, Duration forgetAfter) {
        return new UpstreamProperties.RateLimit(true, ceiling, 5, 0.5, 20, 2, burst, Duration.ofMillis(200),
                forgetAfter, 2, Duration.ofSeconds(5), forgetAfter.multipliedBy(10));
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

        send(limiter, 88);
        send(limiter, 88); // then it probes slowly from there, while the traffic uses the rate
        limiter.onSuccess();
        assertThat(limiter.rate()).isCloseTo(88 + 2 * 2, within(0.5));
    }

    @Test
    void aRateTheTrafficDoesNotPressOnIsNotProbedAboveTheLastLimit() {
        AdaptiveRateLimiter limiter = limiter(1);
        send(limiter, 80);
        limiter.onRateLimited(); // paced at 88/s, just above what was sent
        double paced = limiter.rate();

        send(limiter, 80);
        send(limiter, 80); // under 95% of the rate: nothing is held back, so nothing is learnt
        limiter.onSuccess();
        assertThat(limiter.rate()).isEqualTo(paced);

        send(limiter, 88); // the traffic rises to the rate: probing resumes
        limiter.onSuccess();
        assertThat(limiter.rate()).isCloseTo(paced + 2, within(0.5));
    }

    @Test
    void aSparse429WhileSendingFarBelowTheAllowedRatePacesJustAboveWhatWasSentWhereverTheLastLimitWas() {
        AdaptiveRateLimiter limiter = limiter(300, 1, Duration.ofMinutes(1));
        send(limiter, 290);
        limiter.onRateLimited(); // sending at the allowed rate: halved, the plateau is 300
        for (int tenth = 0; tenth < 100; tenth++) {
            answered(limiter, 14); // 140/s for 10 s: back near the plateau, far above what is sent
        }
        assertThat(limiter.rate()).isGreaterThan(285);

        limiter.onRateLimited(); // one 429 from sends bunching up against a limit near 140/s
        // not 5% under the old plateau, a rate that never shapes what is sent (429s would go on)
        assertThat(limiter.rate()).isCloseTo(154, within(1.0));
    }

    @Test
    void aCutAfterStarvedSecondsCountsWhatLookupsAskedForNotWhatTheyWereGiven() {
        AdaptiveRateLimiter limiter = limiter(300, 1, Duration.ofMinutes(1));
        for (int tick = 0; tick < 200; tick++) { // 2 s: 200/s ask, 100/s get a permit (a queue starves)
            limiter.asked();
            limiter.asked();
            assertThat(limiter.reserve(Long.MAX_VALUE)).isGreaterThanOrEqualTo(0);
            time.advanceTimeBy(Duration.ofMillis(10));
        }
        limiter.onRateLimited(); // far above what was sent: just above the need, not above the starved sends
        assertThat(limiter.rate()).isCloseTo(220, within(1.0));
    }

    @Test
    void farAboveWhatIsSentTheRateDropsToTwiceTheTrafficThenTheNext429PlacesTheLimit() {
        AdaptiveRateLimiter limiter = limiter(100_000, 1, Duration.ofMinutes(1));
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
        assertThat(cuts).containsExactly("100->95");
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
    void aRateThatIsItselfTooHighIsCutJustUnderWhatPassedAndTheCutRepeatsWhile429sKeepComing() {
        AdaptiveRateLimiter limiter = limiter(1);
        for (int tenth = 0; tenth < 10; tenth++) {
            answered(limiter, 10); // sending at the allowed rate: it is what holds us back
        }
        limiter.onRateLimited();
        // not halved: 100/s just passed the limit, and 5% under that is under it already
        assertThat(limiter.rate()).isCloseTo(95, within(0.01));

        for (int tenth = 0; tenth < 3; tenth++) {
            answered(limiter, 9); // another 429 soon after the cut: cut again, under what passed
        }
        limiter.onRateLimited();
        assertThat(limiter.rate()).isLessThan(95).isGreaterThan(90);
        assertThat(cuts).hasSize(2);
    }

    @Test
    void recoveryIsFastUpToThePlateauThenProbesSlowly() {
        AdaptiveRateLimiter limiter = limiter(1);
        for (int tenth = 0; tenth < 10; tenth++) {
            answered(limiter, 10);
        }
        denseRateLimiting(limiter); // 429s a good share of the answers at 95/s: the plateau
        double cut = limiter.rate();
        assertThat(cut).isLessThan(80);

        time.advanceTimeBy(Duration.ofMillis(500));
        limiter.onSuccess();
        assertThat(limiter.rate()).isCloseTo(cut + 10, within(0.01)); // +20/s below the plateau
        time.advanceTimeBy(Duration.ofSeconds(2));
        limiter.onSuccess();
        assertThat(limiter.rate()).isCloseTo(0.95 * 95, within(0.01)); // capped at 95% of the plateau
        send(limiter, 90);
        send(limiter, 90); // the traffic uses the rate
        limiter.onSuccess();
        assertThat(limiter.rate()).isCloseTo(0.95 * 95 + 2 * 2, within(0.01)); // then +2/s: probing
        for (int second = 0; second < 5; second++) {
            send(limiter, 100);
        }
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

    /**
     * What an internal service that allows {@code limit}/s (burst 2) answered to one offered load:
     * attempts sent, refused (429), and given up for want of a permit.
     */
    private record Offered(int sent, int rejected, int starved) {
        double rejectedShare() {
            return (double) rejected / Math.max(1, sent);
        }
    }

    private SplittableRandom arrivals = new SplittableRandom(7);
    private double upstreamTokens = 2;

    /**
     * Offers Poisson arrivals at {@code demand}/s for {@code seconds} of virtual time to an
     * internal service allowing {@code limit}/s with a burst of 2. A request waits up to 50 ms for
     * its permit (as an attempt waits within its deadline) and is given up when none comes by then.
     */
    private Offered offer(AdaptiveRateLimiter limiter, double demand, double limit, int seconds) {
        return offer(limiter, demand, 0, limit, seconds);
    }

    /**
     * As {@link #offer(AdaptiveRateLimiter, double, double, int)}, with {@code hedges}/s more that
     * take a permit only when one is free within 3 ms, as hedges do.
     */
    private Offered offer(AdaptiveRateLimiter limiter, double demand, double hedges, double limit, int seconds) {
        PriorityQueue<Long> sends = new PriorityQueue<>();
        int sent = 0;
        int rejected = 0;
        int starved = 0;
        double untilNext = 0;
        double untilHedge = 0;
        for (int tick = 0; tick < seconds * 10_000; tick++) { // 0.1 ms steps
            long now = time.now(TimeUnit.NANOSECONDS);
            upstreamTokens = Math.min(2, upstreamTokens + limit / 10_000);
            for (untilNext--; untilNext <= 0; untilNext += -Math.log(1 - arrivals.nextDouble()) * 10_000 / demand) {
                limiter.asked();
                long wait = limiter.reserve(50 * MS);
                if (wait >= 0) {
                    sends.add(now + wait);
                } else {
                    starved++;
                }
            }
            for (untilHedge--; hedges > 0 && untilHedge <= 0;
                    untilHedge += -Math.log(1 - arrivals.nextDouble()) * 10_000 / hedges) {
                long wait = limiter.reserveOptional(3 * MS);
                if (wait >= 0) {
                    sends.add(now + wait);
                }
            }
            for (; !sends.isEmpty() && sends.peek() <= now; sends.poll()) {
                sent++;
                if (upstreamTokens >= 1) {
                    upstreamTokens--;
                    limiter.onSuccess();
                } else {
                    rejected++;
                    limiter.onRateLimited();
                }
            }
            time.advanceTimeBy(Duration.ofNanos(100_000));
        }
        return new Offered(sent, rejected, starved);
    }

    @Test
    void onceThe429sStopTheLastLimitIsForgottenAndTheRateDoublesEverySecondWhileItIsUsed() {
        AdaptiveRateLimiter limiter = limiter(100_000, 1, Duration.ofSeconds(3));
        offer(limiter, 400, 100, 10); // a rate-limit incident: the limiter settles near 100/s
        assertThat(limiter.rate()).isBetween(70.0, 110.0);

        offer(limiter, 400, 1_000, 6); // the limit is raised: 3 s to forget, then doubling
        assertThat(limiter.rate()).isGreaterThanOrEqualTo(400);
        assertThat(offer(limiter, 400, 1_000, 2).rejected()).isZero();
    }

    @Test
    void aLimitStillThereIsFoundAgainWithFew429sAndNoDeepCut() {
        AdaptiveRateLimiter limiter = limiter(100_000, 1, Duration.ofSeconds(3));
        offer(limiter, 400, 100, 10);
        cuts.clear();

        Offered steady = offer(limiter, 400, 100, 30); // forgotten every few seconds, found again
        assertThat(steady.sent()).isGreaterThan(2_700);
        assertThat(steady.rejectedShare()).isLessThan(0.01);
        assertThat(cuts).allSatisfy(cut -> assertThat(cutTo(cut)).isGreaterThanOrEqualTo(70));
    }

    @Test
    void anAllowanceNobodyUsesDoesNotGrow() {
        AdaptiveRateLimiter limiter = limiter(100_000, 1, Duration.ofSeconds(3));
        send(limiter, 100);
        limiter.onRateLimited(); // far above the demand: twice the demand
        assertThat(limiter.rate()).isCloseTo(200, within(1.0));
        for (int second = 0; second < 4; second++) {
            send(limiter, 20);
            limiter.onSuccess();
        }
        double forgotten = limiter.rate();

        for (int second = 0; second < 10; second++) {
            send(limiter, 20); // a tenth of the allowance, long after the last 429
            limiter.onSuccess();
        }
        assertThat(limiter.rate()).isEqualTo(forgotten);
    }

    @Test
    void aLullThenOne429DoesNotCutBelowTheRecentDemand() {
        AdaptiveRateLimiter limiter = limiter(300, 1, Duration.ofMinutes(1));
        for (int second = 0; second < 4; second++) {
            send(limiter, 200);
        }
        time.advanceTimeBy(Duration.ofMillis(1_200)); // traffic dips for a second
        limiter.onRateLimited();
        // the last second alone saw nothing sent (it would have cut to twice the floor, 10/s);
        // the 5 s window remembers 160/s of demand
        assertThat(limiter.rate()).isGreaterThanOrEqualTo(160);
    }

    @Test
    void hedgesArePacedButAreNotDemandSoACutLooksOnlyAtTheAttemptsLookupsNeed() {
        AdaptiveRateLimiter limiter = limiter(300, 1, Duration.ofMinutes(1));
        for (int second = 0; second < 5; second++) {
            for (int i = 0; i < 100; i++) {
                assertThat(limiter.reserve(Long.MAX_VALUE)).isGreaterThanOrEqualTo(0);
                assertThat(limiter.reserveOptional(Long.MAX_VALUE)).isGreaterThanOrEqualTo(0);
                time.advanceTimeBy(Duration.ofMillis(10));
            }
        }
        limiter.onRateLimited();
        // 200 permits/s were sent, but only 100/s were needed: twice that, not twice all of them
        assertThat(limiter.rate()).isCloseTo(200, within(1.0));
    }

    @Test
    void a429ExcusedByOurOwnStallDuringGrowthKeepsTheRateTheGrowthStartedFrom() {
        AdaptiveRateLimiter limiter = limiter(100_000, 1, Duration.ofSeconds(3));
        send(limiter, 100);
        limiter.onRateLimited(); // far above the demand: twice the demand
        assertThat(limiter.rate()).isCloseTo(200, within(1.0));
        for (int tenth = 0; tenth < 40; tenth++) {
            answered(limiter, 19); // 190/s, and no 429 for 3 s: the limit is forgotten
        }
        double held = limiter.rate();
        // recovered to 260/s by then, and not grown for a second since: 190/s does not press on it
        assertThat(held).isCloseTo(260, within(1.0));
        for (int tenth = 0; tenth < 15; tenth++) {
            answered(limiter, 26); // the traffic rises to the rate, then half a second of doubling
        }
        double grown = limiter.rate();
        assertThat(grown).isGreaterThan(held * 1.3);

        limiter.onRateLimited(true); // right after a stall of ours: kept
        assertThat(limiter.rate()).isEqualTo(grown);
        time.advanceTimeBy(Duration.ofMillis(300));
        limiter.onRateLimited(false); // the limit is really there: back to no more than where the
        // growth began (here 10% above what was sent in the last seconds, as pacing held nothing back)
        assertThat(limiter.rate()).isLessThanOrEqualTo(held).isGreaterThan(150);
    }

    /** The rate a logged cut ("from->to") went to. */
    private static long cutTo(String cut) {
        return Long.parseLong(cut.substring(cut.indexOf('>') + 1));
    }

    /** A 429, 30 more sent and refused within the cool-down (5 ms apart), and one 100 ms after them. */
    private void denseRateLimiting(AdaptiveRateLimiter limiter) {
        limiter.onRateLimited();
        for (int i = 0; i < 30; i++) {
            assertThat(limiter.reserve(Long.MAX_VALUE)).isGreaterThanOrEqualTo(0);
            limiter.onRateLimited();
            time.advanceTimeBy(Duration.ofMillis(5));
        }
        time.advanceTimeBy(Duration.ofMillis(100));
        limiter.onRateLimited();
    }

    /** Sends {@code count} attempts evenly over a tenth of a virtual second, each answered without a 429. */
    private void answered(AdaptiveRateLimiter limiter, int count) {
        long step = 100_000_000L / count;
        for (int i = 0; i < count; i++) {
            assertThat(limiter.reserve(Long.MAX_VALUE)).isGreaterThanOrEqualTo(0);
            limiter.onSuccess();
            time.advanceTimeBy(Duration.ofNanos(step));
        }
    }

    @Test
    void aDemandAboveTheLimitIsShedDownToTheLimitWithFew429s() {
        AdaptiveRateLimiter limiter = limiter(100_000, 1, Duration.ofSeconds(3));
        offer(limiter, 100, 10_000, 5); // a healthy phase: the demand is known, no 429 ever
        offer(limiter, 190, 60, 150, 5); // then more is needed than the limit allows, and hedges want more

        Offered steady = offer(limiter, 190, 60, 150, 20);
        assertThat(steady.rejectedShare()).as("429s of what was sent").isLessThan(0.01);
        assertThat(steady.sent()).as("the limit is used, not cut far below").isGreaterThan((int) (0.85 * 150 * 20));
    }

    /**
     * A limiter that met a rate-limit incident, then 10 s of quiet at 100/s far below any limit,
     * its arrivals drawn from {@code seed}.
     */
    private AdaptiveRateLimiter quietAfterAnIncident(long seed) {
        arrivals = new SplittableRandom(seed);
        upstreamTokens = 2;
        AdaptiveRateLimiter limiter = limiter(100_000, 1, Duration.ofSeconds(3));
        offer(limiter, 100, 10_000, 4); // a quiet spell far below any limit
        offer(limiter, 400, 100, 10); // a rate-limit incident, then it ends
        offer(limiter, 100, 10_000, 10); // quiet again: the limit is forgotten
        return limiter;
    }

    /**
     * A demand of {@code perSecond} with no limit in the way, offered for 5 s to the limiter each
     * arrival sequence leaves: its attempts sent and given up, summed over the sequences.
     */
    private Offered rising(LongFunction<AdaptiveRateLimiter> limiterAfter, double perSecond) {
        int sent = 0;
        int starved = 0;
        for (long seed = 1; seed <= ARRIVAL_SEQUENCES; seed++) {
            Offered offered = offer(limiterAfter.apply(seed), perSecond, 10_000, 5);
            sent += offered.sent();
            starved += offered.starved();
        }
        return new Offered(sent, 0, starved);
    }

    @Test
    void aDemandThatDoublesAtOnceAfterAnIncidentWaitsForPermitsOnlyWhileTheRateGrows() {
        Offered doubled = rising(this::quietAfterAnIncident, 200);
        int asked = doubled.sent() + doubled.starved();
        // the rate held about twice the quiet demand; one that kept only what the demand pressed
        // on gave up 6% of these attempts
        assertThat(doubled.starved()).as("attempts given up for want of a permit").isLessThan(asked * 3 / 100);
    }

    @Test
    void thirtySecondsWithoutA429LiftThePacingAsAtStartAndEvery429StartsThemAgain() {
        AdaptiveRateLimiter limiter = limiter(100_000, 1, Duration.ofSeconds(3)); // released after 30 s
        send(limiter, 100);
        limiter.onRateLimited(); // far above the demand: twice it
        for (int second = 0; second < 20; second++) {
            send(limiter, 100);
        }
        limiter.onRateLimited(); // a sparse 429 20 s later: the calm starts again
        double paced = limiter.rate();
        assertThat(paced).isLessThan(200);

        for (int second = 0; second < 29; second++) {
            send(limiter, 100); // 100/s does not press on the rate: it stays
        }
        assertThat(limiter.rate()).isEqualTo(paced);
        assertThat(releases).isEmpty();

        time.advanceTimeBy(Duration.ofSeconds(1)); // 30 s without a 429
        assertThat(limiter.rate()).isEqualTo(100_000);
        assertThat(releases).containsExactly(Math.round(paced));
        for (int i = 0; i < 50; i++) {
            // fifty at once: at the rate before, the last would wait a third of a second
            assertThat(limiter.reserve(Long.MAX_VALUE)).isLessThan(MS);
        }
    }

    /** As {@link #quietAfterAnIncident}, then 20 s more at 100/s: 30 s and more since the incident's last 429. */
    private AdaptiveRateLimiter calmSinceAnIncident(long seed) {
        AdaptiveRateLimiter limiter = quietAfterAnIncident(seed);
        offer(limiter, 100, 10_000, 20);
        return limiter;
    }

    @Test
    void aDemandThatQuadruplesAfterThirtySecondsWithoutA429IsNotPacedByTheIncidentBefore() {
        Offered peak = rising(this::calmSinceAnIncident, 400);
        // with the rate the incident left (about twice the quiet demand) 8.8% of these attempts
        // were given up, 90 s after it as 10 s after it
        assertThat(peak.starved()).as("attempts given up for want of a permit, of %d", peak.sent() + peak.starved())
                .isZero();
    }

    @Test
    void aLimitStillThereWhenThePacingIsLiftedIsPlacedAgainAsAtStart() {
        int rejectedAgain = 0;
        int rejectedAtStart = 0;
        for (long seed = 1; seed <= ARRIVAL_SEQUENCES; seed++) {
            AdaptiveRateLimiter limiter = calmSinceAnIncident(seed);
            cuts.clear();
            Offered again = offer(limiter, 400, 100, 10); // the same incident again
            assertThat(cuts.get(0)).as("the first cut").startsWith("100000->");
            assertThat(limiter.rate()).isBetween(70.0, 110.0);
            rejectedAgain += again.rejected();

            arrivals = new SplittableRandom(seed);
            upstreamTokens = 2;
            AdaptiveRateLimiter atStart = limiter(100_000, 1, Duration.ofSeconds(3));
            offer(atStart, 100, 10_000, 4);
            rejectedAtStart += offer(atStart, 400, 100, 10).rejected();
        }
        // about 4.5% of what is sent in the incident's first 10 s either way (378 against 347 here)
        assertThat(rejectedAgain).as("429s").isLessThanOrEqualTo(rejectedAtStart * 5 / 4);
    }

    @Test
    void aDemandThatRisesIntoALimitIsPacedAtWhatItAsksNowNotAtWhatItAskedBefore() {
        List<Long> firstCuts = new ArrayList<>();
        int sent = 0;
        int rejected = 0;
        int starved = 0;
        for (long seed = 1; seed <= ARRIVAL_SEQUENCES; seed++) {
            AdaptiveRateLimiter limiter = quietAfterAnIncident(seed);
            // the rate grew while 100/s pressed on it, and stays well above the storm's need, so
            // what comes next is not paced
            assertThat(limiter.rate()).isGreaterThan(150);
            cuts.clear();

            // a storm: more is needed than before, against a limit just above the need; the first
            // 429 comes a few hundred ms in, while the last whole second is still mostly the quiet one
            Offered storm = offer(limiter, 130, 150, 5);
            assertThat(cuts).isNotEmpty();
            firstCuts.add(cutTo(cuts.get(0)));
            sent += storm.sent();
            rejected += storm.rejected();
            starved += storm.starved();
        }
        // a first cut to the quiet time's 110/s starved 79 attempts in 5 s
        assertThat(firstCuts).as("first cuts, requests/s").allSatisfy(cut -> assertThat(cut).isGreaterThan(110));
        assertThat(firstCuts.stream().sorted().toList().get(ARRIVAL_SEQUENCES / 2)).as("the median first cut")
                .isGreaterThanOrEqualTo(130);
        // paced at about 150/s, Poisson arrivals at 130/s wait past 50 ms now and then: about 20
        // in 5 s once settled
        assertThat(starved).as("attempts given up for want of a permit").isLessThan(40 * ARRIVAL_SEQUENCES);
        assertThat(rejected).as("429s of what was sent").isLessThan(sent / 100);
    }

    @Test
    void when429sAreAGoodShareOfTheAnswersTheDemandNoLongerHoldsTheCutUp() {
        AdaptiveRateLimiter limiter = limiter(300, 1, Duration.ofMinutes(1));
        for (int tenth = 0; tenth < 10; tenth++) {
            answered(limiter, 15); // 150/s, all answered, well under the allowance
        }
        // one 429 says little (far above the demand, twice it is 300: no cut), then 30 more
        // within the cool-down, a sixth of the answers, and one after it
        denseRateLimiting(limiter);
        // what is sent is above the limit: cut just under what the internal service accepted in
        // the last whole second (about 120/s), not held at 1.1 times a demand it refuses (165/s)
        assertThat(limiter.rate()).isBetween(100.0, 125.0);
    }

    @Test
    void aDenseCutCountsWhatPassedTheLimitWithoutAnAnswerAsLetThrough() {
        AdaptiveRateLimiter limiter = limiter(300, 1, Duration.ofMinutes(1));
        for (int tenth = 0; tenth < 10; tenth++) {
            for (int i = 0; i < 14; i++) { // 140/s sent: 100 answered, 40 slow or closed, never answered
                assertThat(limiter.reserve(Long.MAX_VALUE)).isGreaterThanOrEqualTo(0);
                if (i < 10) {
                    limiter.onSuccess();
                }
                time.advanceTimeBy(Duration.ofNanos(100_000_000L / 14));
            }
        }
        denseRateLimiting(limiter);
        // about 105/s passed the limit in the last second (75 answered, 30 unanswered): the cut
        // stays just under that, not under the 75/s that happened to be answered
        assertThat(limiter.rate()).isBetween(90.0, 105.0);
    }
}
