package dev.namegate.upstream.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import reactor.scheduler.clock.SchedulerClock;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.upstream.attempt.AttemptOutcome;

/** Every change of the breaker's state is told once, in order, whichever call made it. */
class AttemptBreakerTransitionsTest {

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final CircuitBreaker resilience4j = CircuitBreaker.of("test", CircuitBreakerConfig.custom()
            .clock(SchedulerClock.of(time))
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(4)
            .minimumNumberOfCalls(4)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(1))
            .permittedNumberOfCallsInHalfOpenState(1)
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .build());
    private final List<String> told = new ArrayList<>();
    private final AttemptBreaker breaker = AttemptBreaker.of(resilience4j, Duration.ofSeconds(1),
            (from, to) -> told.add(from + " -> " + to));

    @Test
    void opensOnFailuresProbesAfterTheWaitAndClosesOnASuccess() {
        for (int i = 0; i < 4; i++) {
            assertThat(breaker.tryEnter()).isTrue();
            breaker.ended(AttemptOutcome.TRANSIENT_STATUS, false, 1_000_000);
        }
        assertThat(told).containsExactly("CLOSED -> OPEN");
        assertThat(breaker.tryEnter()).isFalse();

        time.advanceTimeBy(Duration.ofMillis(1001));
        assertThat(breaker.tryEnter()).isTrue();
        assertThat(told).containsExactly("CLOSED -> OPEN", "OPEN -> HALF_OPEN");

        breaker.ended(AttemptOutcome.SUCCESS, false, 1_000_000);
        assertThat(told).containsExactly("CLOSED -> OPEN", "OPEN -> HALF_OPEN", "HALF_OPEN -> CLOSED");
    }

    @Test
    void successesAndNeutralOutcomesTellNothing() {
        for (int i = 0; i < 10; i++) {
            breaker.tryEnter();
            breaker.ended(i % 2 == 0 ? AttemptOutcome.SUCCESS : AttemptOutcome.RATE_LIMITED, false, 1_000_000);
        }
        breaker.tryEnter();
        breaker.abandoned();

        assertThat(told).isEmpty();
    }

    @Test
    void suspendingAndResumingAreToldToo() {
        breaker.suspend();
        breaker.resume();

        assertThat(told).containsExactly("CLOSED -> DISABLED", "DISABLED -> CLOSED");
    }

    @Test
    void attemptsAreNotPublishedAsEvents() {
        List<Object> events = new ArrayList<>();
        breaker.tryEnter();
        breaker.ended(AttemptOutcome.SUCCESS, false, 1_000_000);
        resilience4j.getEventPublisher().onEvent(events::add);
        breaker.tryEnter();
        breaker.ended(AttemptOutcome.SUCCESS, false, 1_000_000);

        // the consumer added by this test hears the attempt: only ours added none before it
        assertThat(events).hasSize(1);
    }
}
