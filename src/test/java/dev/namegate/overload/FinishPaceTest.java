package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pace requests finish at is taken over the last one to two windows, never older ones. */
class FinishPaceTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long WINDOW = SECOND / 10;
    private final FinishPace pace = new FinishPace(WINDOW, 0, 500);

    @Test
    void noTimeNoPace() {
        assertThat(pace.perSecond(0, 600)).isZero();
    }

    @Test
    void withinTheFirstWindowThePaceIsTakenSinceTheStart() {
        assertThat(pace.perSecond(WINDOW / 2, 900)).isEqualTo(8_000);
    }

    @Test
    void thePaceIsTakenFromTheSampleAWindowOrMoreBack() {
        pace.perSecond(WINDOW, 1_500); // 10,000 a second in the first window
        assertThat(pace.perSecond(WINDOW + WINDOW / 2, 1_700)).as("over one and a half windows")
                .isEqualTo(1_200 * 1e9 / (WINDOW + WINDOW / 2));
        pace.perSecond(2 * WINDOW, 1_900); // 4,000 a second in the second
        assertThat(pace.perSecond(2 * WINDOW + 1, 1_900)).as("the first window is forgotten")
                .isEqualTo(400 * 1e9 / (WINDOW + 1));
    }

    @Test
    void aLongGapReadsAsItsAveragePaceUntilTheNextWindow() {
        pace.perSecond(SECOND, 1_500); // one sample after a second with 1,000 finished
        assertThat(pace.perSecond(SECOND + WINDOW / 2, 1_500)).isEqualTo(1_000 * 1e9 / (SECOND + WINDOW / 2));
    }
}
