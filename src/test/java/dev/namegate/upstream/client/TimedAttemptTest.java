package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.util.context.Context;

class TimedAttemptTest {

    private static final Duration TIMEOUT = Duration.ofMillis(25);

    /** The client's error mapping stands in as a wrapper, so a test sees it was applied. */
    private static final UnaryOperator<Throwable> MAPPED = error -> new IllegalStateException("mapped", error);

    private final List<Throwable> dropped = new ArrayList<>();
    private final Ends ends = new Ends();
    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final TimersArmed timers = new TimersArmed(time);

    @AfterEach
    void resetHooks() {
        Hooks.resetOnErrorDropped();
        DroppedErrors.install();
    }

    private Mono<String> attempt(Mono<String> exchange) {
        return TimedAttempt.of(exchange, TIMEOUT, timers, MAPPED, ends);
    }

    @Test
    void anAnswerPassesAndIsToldAsTheEnd() {
        StepVerifier.create(attempt(Mono.just("John"))).expectNext("John").verifyComplete();
        assertThat(ends.told).containsExactly("answered John");
        assertThat(timers.stillArmed()).as("the timeout disarmed").isZero();
    }

    @Test
    void anErrorIsMappedOnceAndToldAsTheEnd() {
        StepVerifier.create(attempt(Mono.error(new IOException("closed"))))
                .verifyErrorSatisfies(error -> assertThat(error).hasMessage("mapped").hasCauseInstanceOf(IOException.class));
        assertThat(ends.told).containsExactly("failed mapped");
    }

    @Test
    void theTimeoutFailsTheAttemptButNotTheExchangeWhoseLateAnswerGoesNowhere() {
        Sinks.One<String> answer = Sinks.one();
        PublisherProbe<String> exchange = PublisherProbe.of(answer.asMono());

        StepVerifier.create(attempt(exchange.mono()))
                .then(() -> time.advanceTimeBy(TIMEOUT.minusNanos(1)))
                .expectNoEvent(Duration.ZERO)
                .then(() -> time.advanceTimeBy(Duration.ofNanos(1)))
                .verifyErrorSatisfies(error -> assertThat(error).hasMessage("mapped")
                        .cause().isInstanceOf(TimeoutException.class).hasMessage("no signal within 25 ms"));

        exchange.assertWasNotCancelled();
        answer.tryEmitValue("late");
        assertThat(ends.told).containsExactly("failed mapped");
    }

    @Test
    void aCancelIsToldAsAbandonedAndDoesNotReachTheExchangeWhoseLaterErrorGoesNowhere() {
        Hooks.onErrorDropped(dropped::add);
        Sinks.One<String> answer = Sinks.one();
        PublisherProbe<String> exchange = PublisherProbe.of(answer.asMono());
        List<String> received = new ArrayList<>();
        List<Throwable> failed = new ArrayList<>();

        Disposable subscription = attempt(exchange.mono()).subscribe(received::add, failed::add);
        subscription.dispose();
        exchange.assertWasSubscribed();
        exchange.assertWasNotCancelled();
        assertThat(timers.stillArmed()).as("the timeout disarmed").isZero();

        answer.tryEmitError(new IOException("closed after the cancel"));
        time.advanceTimeBy(TIMEOUT.multipliedBy(2));
        assertThat(received).isEmpty();
        assertThat(failed).isEmpty();
        assertThat(dropped).as("not reported as dropped: nobody waits for it").isEmpty();
        assertThat(ends.told).containsExactly("abandoned");
    }

    @Test
    void anAttemptGivenUpAsItIsSubscribedCancelsTheExchangeWithoutAskingIt() {
        PublisherProbe<String> exchange = PublisherProbe.of(Mono.never());
        attempt(exchange.mono()).subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                cancel();
            }
        });
        exchange.assertWasNotRequested();
        exchange.assertWasCancelled();
        assertThat(ends.told).containsExactly("abandoned");
        assertThat(timers.stillArmed()).as("the timeout disarmed").isZero();
    }

    @Test
    void theExchangeSeesTheSubscribersContext() {
        Mono<String> exchange = Mono.deferContextual(context -> Mono.just(context.getOrDefault("request", "none")));
        StepVerifier.create(attempt(exchange).contextWrite(Context.of("request", "r-1")))
                .expectNext("r-1")
                .verifyComplete();
    }

    /** The virtual clock, keeping what it armed. */
    private static final class TimersArmed implements Scheduler {
        private final Scheduler time;
        private final List<Disposable> armed = new ArrayList<>();

        TimersArmed(Scheduler time) {
            this.time = time;
        }

        long stillArmed() {
            return armed.stream().filter(timer -> !timer.isDisposed()).count();
        }

        @Override
        public Disposable schedule(Runnable task) {
            return time.schedule(task);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            Disposable timer = time.schedule(task, delay, unit);
            armed.add(timer);
            return timer;
        }

        @Override
        public long now(TimeUnit unit) {
            return time.now(unit);
        }

        @Override
        public Worker createWorker() {
            return time.createWorker();
        }
    }

    private static final class Ends implements TimedAttempt.Listener<String> {
        final List<String> told = new ArrayList<>();

        @Override
        public void answered(String value) {
            told.add("answered " + value);
        }

        @Override
        public void failed(Throwable error) {
            told.add("failed " + error.getMessage());
        }

        @Override
        public void abandoned() {
            told.add("abandoned");
        }
    }
}
