package dev.namegate.upstream.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One attempt's exchange as the round sees it: bounded by the attempt's timeout, its error put in
 * the client's terms, its end told once to a {@link Listener}, and a cancel that stops here. The
 * exchange runs to its end though the attempt is given up (timed out, a hedge that won, the
 * deadline): a late answer is read and its connection goes back to the pool. What the exchange
 * signals after the attempt ended goes nowhere, errors included (whoever gave it up has moved
 * on), so its values must need no release (a lookup's answer is a plain value; the exchange
 * releases its own body).
 *
 * <p>Hand-written: in Reactor this is {@code timeout}, {@code onErrorMap}, {@code tap} and a
 * cancel-stopper (Reactor has none), four subscribers and four hops for every signal of every
 * attempt, and {@code timeout} alone subscribes a {@code Mono.delay} besides.
 */
final class TimedAttempt<T> extends Mono<T> {

    /** Hears how the attempt ended: exactly one of the three, once. */
    interface Listener<T> {
        void answered(T value);

        /** @param error as the error mapping gave it */
        void failed(Throwable error);

        /** Given up before it ended: a hedge that lost, the deadline, the caller gone. */
        void abandoned();
    }

    private final Mono<T> exchange;
    private final long timeoutNanos;
    private final Scheduler timers;
    private final UnaryOperator<Throwable> errors;
    private final Listener<? super T> listener;

    /**
     * @param exchange subscribed once per subscription, never cancelled
     * @param timers where the timeout is armed (for a timeout that waits for an answer, one that
     *        lets the loop read what arrived first)
     * @param errors the exchange's error, or the timeout's {@link TimeoutException}, in the client's terms
     */
    static <T> Mono<T> of(Mono<T> exchange, Duration timeout, Scheduler timers, UnaryOperator<Throwable> errors,
            Listener<? super T> listener) {
        return onAssembly(new TimedAttempt<>(exchange, timeout, timers, errors, listener));
    }

    private TimedAttempt(Mono<T> exchange, Duration timeout, Scheduler timers, UnaryOperator<Throwable> errors,
            Listener<? super T> listener) {
        this.exchange = exchange;
        this.timeoutNanos = timeout.toNanos();
        this.timers = timers;
        this.errors = errors;
        this.listener = listener;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        exchange.subscribe(new Attempt<>(actual, this));
    }

    private static final class Attempt<T> extends EndsOnce<T> {
        private final TimedAttempt<T> attempt;

        Attempt(CoreSubscriber<? super T> actual, TimedAttempt<T> attempt) {
            super(actual);
            this.attempt = attempt;
        }

        @Override
        public void onSubscribe(Subscription exchange) {
            actual.onSubscribe(this);
            arm(attempt.timers, attempt.timeoutNanos);
            exchange.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(T value) {
            if (end()) {
                attempt.listener.answered(value);
                complete(value);
            }
        }

        @Override
        public void onError(Throwable error) {
            if (end()) {
                fail(error);
            }
        }

        /** The timeout. */
        @Override
        public void run() {
            if (end()) {
                fail(new TimeoutException("no signal within " + TimeUnit.NANOSECONDS.toMillis(attempt.timeoutNanos) + " ms"));
            }
        }

        /** Stops here: the exchange runs on. */
        @Override
        public void cancel() {
            super.cancel();
            if (end()) {
                attempt.listener.abandoned();
            }
        }

        private void fail(Throwable error) {
            Throwable mapped = attempt.errors.apply(error);
            attempt.listener.failed(mapped);
            actual.onError(mapped);
        }
    }
}
