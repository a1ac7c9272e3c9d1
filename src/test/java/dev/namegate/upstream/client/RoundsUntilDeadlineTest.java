package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.util.context.Context;

class RoundsUntilDeadlineTest {

    private static final Duration DEADLINE = Duration.ofMillis(100);

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final AtomicInteger firstRounds = new AtomicInteger();
    private final List<Throwable> retriedAfter = new ArrayList<>();

    private Mono<String> lookup(Mono<String> first, Mono<String> after) {
        return RoundsUntilDeadline.of(() -> {
            firstRounds.incrementAndGet();
            return first;
        }, failure -> {
            retriedAfter.add(failure);
            return after;
        }, DEADLINE, time, () -> new TimeoutException("deadline"));
    }

    @Test
    void aFirstRoundsAnswerIsTheLookupsAndNoRetryIsMade() {
        StepVerifier.create(lookup(Mono.just("John"), Mono.error(new AssertionError("not retried"))))
                .expectNext("John")
                .verifyComplete();
        assertThat(firstRounds).hasValue(1);
        assertThat(retriedAfter).isEmpty();
    }

    @Test
    void theFirstRoundIsMadeOnlyWhenSubscribed() {
        Mono<String> lookup = lookup(Mono.just("John"), Mono.empty());
        assertThat(firstRounds).hasValue(0);
        StepVerifier.create(lookup).expectNext("John").verifyComplete();
        assertThat(firstRounds).hasValue(1);
    }

    @Test
    void aFailedFirstRoundIsHandedToTheRoundsAfterItOnce() {
        IOException first = new IOException("first");
        StepVerifier.create(lookup(Mono.error(first), Mono.just("Jane"))).expectNext("Jane").verifyComplete();
        assertThat(retriedAfter).containsExactly(first);

        retriedAfter.clear();
        IOException last = new IOException("last");
        StepVerifier.create(lookup(Mono.error(first), Mono.error(last))).verifyErrorSatisfies(e -> assertThat(e).isSameAs(last));
        assertThat(retriedAfter).containsExactly(first);
    }

    @Test
    void theDeadlineCancelsTheFirstRoundAndFailsTheLookupWithItsOwnError() {
        PublisherProbe<String> first = PublisherProbe.of(Mono.never());
        StepVerifier.create(lookup(first.mono(), Mono.just("unused")))
                .then(() -> time.advanceTimeBy(DEADLINE.minusNanos(1)))
                .expectNoEvent(Duration.ZERO)
                .then(() -> time.advanceTimeBy(Duration.ofNanos(1)))
                .verifyErrorMessage("deadline");
        first.assertWasCancelled();
        assertThat(retriedAfter).isEmpty();
    }

    @Test
    void theDeadlineCancelsTheRoundsAfterTheFirst() {
        PublisherProbe<String> after = PublisherProbe.of(Mono.never());
        StepVerifier.create(lookup(Mono.error(new IOException("first")), after.mono()))
                .then(() -> time.advanceTimeBy(DEADLINE))
                .verifyErrorMessage("deadline");
        after.assertWasSubscribed();
        after.assertWasCancelled();
    }

    @Test
    void aCancelReachesTheRoundAndDisarmsTheDeadline() {
        PublisherProbe<String> first = PublisherProbe.of(Mono.never());
        List<Object> signals = new ArrayList<>();
        Disposable subscription = lookup(first.mono(), Mono.just("unused")).subscribe(signals::add, signals::add);
        subscription.dispose();
        first.assertWasCancelled();
        time.advanceTimeBy(DEADLINE.multipliedBy(2));
        assertThat(signals).isEmpty();
        assertThat(retriedAfter).isEmpty();
    }

    @Test
    void theRoundsSeeTheSubscribersContext() {
        Mono<String> first = Mono.deferContextual(context -> Mono.just(context.getOrDefault("request", "none")));
        StepVerifier.create(lookup(first, Mono.empty()).contextWrite(Context.of("request", "r-1")))
                .expectNext("r-1")
                .verifyComplete();
    }
}
