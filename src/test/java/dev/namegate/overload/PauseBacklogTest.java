package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The lag a collector's pause explains after it, read in milliseconds from a clock the test sets. */
class PauseBacklogTest {

    private static final long MS = 1_000_000L;
    /** The collector's pauses before the backlog was made: not news to it. */
    private static final long EARLIER_PAUSES = 500 * MS;

    private final PauseBacklog backlog = new PauseBacklog(0.9, EARLIER_PAUSES);

    @Test
    void pausesBeforeItWasMadeExplainNothing() {
        assertThat(backlog.lagNanos(1_000 * MS, EARLIER_PAUSES)).isZero();
    }

    @Test
    void aPauseExplainsItsLengthTimesTheLoadAndLessAsItsBacklogDrains() {
        assertThat(backlog.lagNanos(1_000 * MS, EARLIER_PAUSES + 40 * MS)).as("0.9 of 40 ms").isEqualTo(36 * MS);
        assertThat(backlog.lagNanos(1_100 * MS, EARLIER_PAUSES + 40 * MS)).as("drained a tenth of 100 ms")
                .isEqualTo(26 * MS);
        assertThat(backlog.lagNanos(1_360 * MS, EARLIER_PAUSES + 40 * MS)).as("drained").isZero();
        assertThat(backlog.lagNanos(5_000 * MS, EARLIER_PAUSES + 40 * MS)).isZero();
    }

    @Test
    void theBacklogsOfPausesInQuickSuccessionAddUp() {
        backlog.lagNanos(1_000 * MS, EARLIER_PAUSES + 40 * MS);
        assertThat(backlog.lagNanos(1_100 * MS, EARLIER_PAUSES + 60 * MS)).as("26 ms left of the first, 18 of the second")
                .isEqualTo(44 * MS);
        assertThat(backlog.lagNanos(1_200 * MS, EARLIER_PAUSES + 60 * MS)).isEqualTo(34 * MS);
    }

    @Test
    void aLoadOfZeroExplainsNoLagAfterAPause() {
        PauseBacklog none = new PauseBacklog(0, EARLIER_PAUSES);
        assertThat(none.lagNanos(1_000 * MS, EARLIER_PAUSES + 80 * MS)).isZero();
        assertThat(none.lagNanos(1_001 * MS, EARLIER_PAUSES + 80 * MS)).isZero();
    }
}
