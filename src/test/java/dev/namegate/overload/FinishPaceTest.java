package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The pace comes from windows with requests in progress throughout; a lull leaves it as it was. */
class FinishPaceTest {

    private static final long WINDOW = 100_000_000L;
    private final FinishPace pace = new FinishPace(WINDOW, 0, 500);

    @Test
    void noPaceBeforeABusyWindowEnds() {
        assertThat(pace.perSecond(WINDOW / 2, 900, true)).isZero();
    }

    @Test
    void theFirstBusyWindowSetsThePace() {
        pace.perSecond(WINDOW / 2, 900, true);
        assertThat(pace.perSecond(WINDOW, 1_500, true)).isEqualTo(10_000);
    }

    @Test
    void eachLaterBusyWindowMovesItPartWay() {
        pace.perSecond(WINDOW, 1_500, true);
        assertThat(pace.perSecond(2 * WINDOW, 1_900, true)).as("4,000 a second moves 10,000 by 0.3 of the way")
                .isCloseTo(8_200, within(1e-6));
    }

    @Test
    void aWindowWithALullInItLeavesThePace() {
        pace.perSecond(WINDOW, 1_500, true);
        pace.perSecond(WINDOW + WINDOW / 2, 1_510, false);
        assertThat(pace.perSecond(2 * WINDOW, 1_520, true)).isEqualTo(10_000);
        assertThat(pace.perSecond(3 * WINDOW, 2_520, true)).as("the next busy window counts again").isEqualTo(10_000);
    }
}
