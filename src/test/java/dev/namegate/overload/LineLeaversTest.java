package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The refusals beyond a share of those that left are taken over the current window and the one
 * before, never older ones.
 */
class LineLeaversTest {

    private static final long WINDOW = 1_000;
    private final LineLeavers leavers = new LineLeavers(WINDOW, 0);

    @Test
    void nobodyLeftNobodyRefused() {
        assertThat(leavers.refusedBeyond(0.1, 0)).as("0.0, not -0.0: the gate reads the sign bit").isEqualTo(0.0);
    }

    @Test
    void theWindowBeforeCountsWithTheCurrentOne() {
        leavers.refused(100);
        leavers.admitted(200);
        leavers.admitted(1_100); // the next window
        leavers.admitted(1_200);
        assertThat(leavers.refusedBeyond(0.25, 1_900)).as("one of four").isEqualTo(0.0);
        assertThat(leavers.refusedBeyond(0.1, 1_900)).isEqualTo(0.6);
        assertThat(leavers.refusedBeyond(0.5, 1_900)).isEqualTo(-1.0);
    }

    @Test
    void windowsOlderThanTheOneBeforeAreForgotten() {
        leavers.refused(100);
        leavers.admitted(1_100);
        leavers.admitted(2_100);
        assertThat(leavers.refusedBeyond(0.1, 2_100)).as("the refusal's window is two back").isEqualTo(-0.2);
        leavers.refused(2_200);
        assertThat(leavers.refusedBeyond(0.25, 2_200)).as("one of three").isEqualTo(0.25);
        assertThat(leavers.refusedBeyond(0.5, 2_200)).isEqualTo(-0.5);
    }

    @Test
    void aGapOfTwoWindowsForgetsBoth() {
        leavers.refused(100);
        leavers.refused(1_100);
        assertThat(leavers.refusedBeyond(0.1, 3_000)).as("nobody left").isEqualTo(0.0);
        leavers.admitted(3_000);
        leavers.refused(3_500);
        assertThat(leavers.refusedBeyond(0.5, 3_900)).as("one of two").isEqualTo(0.0);
        assertThat(leavers.refusedBeyond(0.75, 3_900)).isEqualTo(-0.5);
    }

    @Test
    void forgettingStartsAfresh() {
        leavers.refused(100);
        leavers.forget(200);
        leavers.admitted(300);
        assertThat(leavers.refusedBeyond(0.1, 300)).isEqualTo(-0.1);
    }

    @Test
    void thePaceIsTakenOverTheTimeCountedButNoLessThanTheSpanAsked() {
        leavers.admitted(100);
        leavers.admitted(200);
        assertThat(leavers.admittedPerSecond(500, 0)).isEqualTo(2 * 1e9 / 500);
        assertThat(leavers.admittedPerSecond(500, 1_000)).as("a start is not a burst").isEqualTo(2 * 1e9 / 1_000);
        leavers.admitted(1_100); // the next window: the one before counts whole
        assertThat(leavers.admittedPerSecond(1_500, 0)).isEqualTo(3 * 1e9 / 1_500);
        leavers.forget(2_000);
        assertThat(leavers.admittedPerSecond(2_500, 0)).isZero();
    }
}
