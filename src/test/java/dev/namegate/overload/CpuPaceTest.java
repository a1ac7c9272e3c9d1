package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** What the core could finish a second: the CPU time it gets now over what a request cost while nothing was held back. */
class CpuPaceTest {

    private static final long WINDOW = 100_000_000L;
    private static final long MS = 1_000_000L;

    private final AtomicLong cpu = new AtomicLong(7 * WINDOW);
    private final CpuPace pace = new CpuPace(WINDOW, cpu::get, 0, 0);
    private long requests;

    /** A window of {@code count} requests started and finished, and {@code cpuMs} of CPU time. */
    private void window(long end, int count, long cpuMs, boolean counting) {
        requests += 2L * count;
        cpu.addAndGet(cpuMs * MS);
        pace.sample(end, requests, counting);
    }

    @Test
    void unknownBeforeAWindowEnds() {
        requests = 2_000;
        cpu.addAndGet(20 * MS);
        pace.sample(WINDOW / 2, requests, true);
        assertThat(pace.perSecond(WINDOW / 2)).isZero();
    }

    @Test
    void aRequestsCostAtALightLoadGivesThePaceAtAWholeCore() {
        window(WINDOW, 1_000, 20, true); // 20 us a request, a fifth of the core
        cpu.addAndGet(100 * MS); // then all of it, the window not over yet
        assertThat(pace.perSecond(2 * WINDOW))
                .as("120 ms of CPU in the 200 ms since the window before began: 0.6 / 20 us")
                .isCloseTo(30_000, within(1e-6));
    }

    @Test
    void theCpuTheProcessGetsIsTakenFromTheWindowBeforeTheCurrentOneOn() {
        window(WINDOW, 1_000, 50, true);
        window(2 * WINDOW, 1_000, 50, true); // 50 us a request
        cpu.addAndGet(25 * MS); // a quarter of a core's CPU time in the 100 ms since (a container's quota)
        assertThat(pace.perSecond(3 * WINDOW)).as("75 ms in 200 ms: 0.375 / 50 us").isCloseTo(7_500, within(1e-6));
    }

    @Test
    void windowsThatDoNotCountLeaveTheCost() {
        window(WINDOW, 1_000, 50, true);
        window(2 * WINDOW, 100, 100, false); // under a limit: refusals and the line
        window(3 * WINDOW, 100, 100, false);
        assertThat(pace.perSecond(3 * WINDOW)).as("still 50 us a request, at a whole core").isCloseTo(20_000,
                within(1e-6));
    }

    @Test
    void eachWindowWeighsByItsRequestsAndFades() {
        window(WINDOW, 1_000, 50, true); // 50 us
        window(2 * WINDOW, 1_000, 100, true); // 100 us
        double cost = (0.9 * 50 + 100) / (0.9 * 1_000 + 1_000) * MS; // ns a request
        assertThat(pace.perSecond(2 * WINDOW)).as("a whole core in the window before").isCloseTo(1e9 / cost,
                within(1e-6));
    }

    @Test
    void tooFewRequestsSayNothing() {
        window(WINDOW, 99, 10, true);
        assertThat(pace.perSecond(WINDOW)).isZero();
        window(2 * WINDOW, 20, 10, true);
        assertThat(pace.perSecond(2 * WINDOW)).isPositive();
    }

    @Test
    void aPlatformThatDoesNotTellTheCpuTimeGivesNoPace() {
        CpuPace unknown = new CpuPace(WINDOW, ProcessCpuTime.UNKNOWN, 0, 0);
        unknown.sample(WINDOW, 2_000, true);
        unknown.sample(2 * WINDOW, 4_000, true);
        assertThat(unknown.perSecond(2 * WINDOW)).isZero();
    }
}
