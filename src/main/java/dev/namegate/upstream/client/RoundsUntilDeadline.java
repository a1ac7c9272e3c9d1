package dev.namegate.upstream.client;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A lookup's rounds under its deadline: the first round, and when it fails the rounds the retry
 * policy makes of that failure; whatever is still running when the deadline comes is cancelled
 * and the lookup fails with the deadline's own error.
 *
 * <p>Hand-written: in Reactor this is {@code onErrorResume} and {@code timeout} with a fallback,
 * two subscribers that each switch sources, and {@code timeout} subscribes a {@code Mono.delay}
 * besides, on every lookup though nearly all of them end in their first round.
 */
final class RoundsUntilDeadline<T> extends Mono<T> {

    private final Supplier<Mono<T>> firstRound;
    private final Function<Throwable, Mono<T>> roundsAfter;
    private final long deadlineNanos;
    private final Scheduler timers;
    private final Supplier<Throwable> expired;

    private RoundsUntilDeadline(Supplier<Mono<T>> firstRound, Function<Throwable, Mono<T>> roundsAfter, Duration deadline,
            Scheduler timers, Supplier<Throwable> expired) {
        this.firstRound = firstRound;
        this.roundsAfter = roundsAfter;
        this.deadlineNanos = deadline.toNanos();
        this.timers = timers;
        this.expired = expired;
    }

    /**
     * @param firstRound called once subscribed, and after the deadline is armed
     * @param roundsAfter the rounds after a first that failed with the given error (its failure, if it gives no more)
     * @param expired the lookup's error when the deadline comes first
     */
    static <T> Mono<T> of(Supplier<Mono<T>> firstRound, Function<Throwable, Mono<T>> roundsAfter, Duration deadline,
            Scheduler timers, Supplier<Throwable> expired) {
        return onAssembly(new RoundsUntilDeadline<>(firstRound, roundsAfter, deadline, timers, expired));
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        Rounds<T> rounds = new Rounds<>(actual, this);
        actual.onSubscribe(rounds);
        rounds.start();
    }

    private static final class Rounds<T> extends EndsOnce<T> {
        private final RoundsUntilDeadline<T> lookup;
        /** The source now: the first round, then the rounds after it. */
        private volatile Subscription source;
        /** Set when the first round failed (signals of one source come one at a time). */
        private boolean afterFirst;

        Rounds(CoreSubscriber<? super T> actual, RoundsUntilDeadline<T> lookup) {
            super(actual);
            this.lookup = lookup;
        }

        void start() {
            arm(lookup.timers, lookup.deadlineNanos);
            if (!ended()) {
                subscribeTo(lookup.firstRound);
            }
        }

        private void subscribeTo(Supplier<Mono<T>> next) {
            Mono<T> round;
            try {
                round = next.get();
            } catch (RuntimeException failure) {
                if (end()) {
                    actual.onError(failure);
                }
                return;
            }
            round.subscribe(this);
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            source = subscription;
            // after the write: a deadline or cancel that came meanwhile has either seen it or is seen here
            if (ended()) {
                subscription.cancel();
            } else {
                subscription.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(T value) {
            if (end()) {
                complete(value);
            }
        }

        @Override
        public void onError(Throwable error) {
            if (ended()) {
                return;
            }
            if (!afterFirst) {
                afterFirst = true;
                subscribeTo(() -> lookup.roundsAfter.apply(error));
                return;
            }
            if (end()) {
                actual.onError(error);
            }
        }

        /** The deadline. */
        @Override
        public void run() {
            if (end()) {
                cancelSource();
                actual.onError(lookup.expired.get());
            }
        }

        @Override
        public void cancel() {
            super.cancel();
            if (end()) {
                cancelSource();
            }
        }

        private void cancelSource() {
            Subscription current = source;
            if (current != null) {
                current.cancel();
            }
        }
    }
}
