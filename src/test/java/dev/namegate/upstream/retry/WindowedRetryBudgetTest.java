package dev.namegate.upstream.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import reactor.test.scheduler.VirtualTimeScheduler;

/** The retry budget in virtual time: it stops retries when spent and recovers with traffic. */
class WindowedRetryBudgetTest {

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final List<String> events = new ArrayList<>();
    private final WindowedRetryBudget.Listener listener = new WindowedRetryBudget.Listener() {
        @Override
        public void spent() {
            events.add("spent");
        }

        @Override
        public void available() {
            events.add("available");
        }
    };

    @Test
    void retriesEarnedByFirstAttemptsAreAllowedAndNoMore() {
        WindowedRetryBudget budget = new WindowedRetryBudget(0.5, 0, Duration.ofSeconds(10), time, listener);
        for (int i = 0; i < 10; i++) {
            budget.deposit();
        }
        int allowed = 0;
        while (budget.tryWithdraw()) {
            allowed++;
        }
        assertThat(allowed).isEqualTo(5);
        assertThat(budget.remaining()).isZero();
        assertThat(events).containsExactly("spent");
    }

    @Test
    void theFloorAllowsRetriesWhenThereIsLittleTraffic() {
        WindowedRetryBudget budget = new WindowedRetryBudget(0.0, 2, Duration.ofSeconds(5), time);
        int allowed = 0;
        while (budget.tryWithdraw()) {
            allowed++;
        }
        assertThat(allowed).isEqualTo(10); // 2 per second over a 5 s window
    }

    @Test
    void aSpentBudgetRecoversAsTheWindowSlidesAndTrafficEarnsMore() {
        WindowedRetryBudget budget = new WindowedRetryBudget(1.0, 0, Duration.ofSeconds(10), time, listener);
        budget.deposit();
        assertThat(budget.tryWithdraw()).isTrue();
        assertThat(budget.tryWithdraw()).isFalse();

        // the withdrawal leaves the window with its deposit: nothing earned, nothing spent
        time.advanceTimeBy(Duration.ofSeconds(11));
        assertThat(budget.remaining()).isZero();
        assertThat(budget.tryWithdraw()).isFalse();

        budget.deposit();
        budget.deposit();
        assertThat(budget.tryWithdraw()).isTrue();
        assertThat(events).containsExactly("spent", "available");
    }

    @Test
    void depositsOlderThanTheWindowNoLongerCount() {
        WindowedRetryBudget budget = new WindowedRetryBudget(1.0, 0, Duration.ofSeconds(3), time);
        for (int i = 0; i < 4; i++) {
            budget.deposit();
        }
        time.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(budget.remaining()).isEqualTo(4);
        time.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(budget.remaining()).isZero();
    }
}
