package dev.namegate.upstream.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.UnaryOperator;

import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

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
     * @param exchange subscribed once per subscription, cancelled only if given up before it was asked for
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

    private static final class Attempt<T> extends Operators.MonoSubscriber<T, T> implements Runnable {
        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<Attempt> ENDED =
                AtomicIntegerFieldUpdater.newUpdater(Attempt.class, "ended");

        private final TimedAttempt<T> attempt;
        /** Read once: the exchange asks for it several times, and each ask would walk the lookup's chain. */
        private final Context context;
        private volatile Disposable timer;
        /** 1 once answered, failed, timed out or given up: whichever came first is the attempt's end. */
        private volatile int ended;

        Attempt(CoreSubscriber<? super T> actual, TimedAttempt<T> attempt) {
            super(actual);
            this.attempt = attempt;
            this.context = actual.currentContext();
        }

        @Override
        public Context currentContext() {
            return context;
        }

        @Override
        public void onSubscribe(Subscription exchange) {
            actual.onSubscribe(this);
            Disposable armed = attempt.timers.schedule(this, attempt.timeoutNanos, TimeUnit.NANOSECONDS);
            timer = armed;
            // after the write: an end that came meanwhile has either seen it or is seen here
            if (ended != 0) {
                // given up already (a cancel within onSubscribe): cancelled, not left unasked; a
                // WebClient exchange goes out once subscribed, asked or not, and one never asked
                // never reads its answer's body nor releases it
                armed.dispose();
                exchange.cancel();
                return;
            }
            exchange.request(Long.MAX_VALUE);
        }

        /** Out through {@link #complete}, which keeps to the subscriber's demand. */
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

        /** Only without a value: a value ended the attempt already. */
        @Override
        public void onComplete() {
            if (end()) {
                actual.onComplete();
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

        /** Whether this call ended the attempt; the first disarms the timeout. */
        private boolean end() {
            if (!ENDED.compareAndSet(this, 0, 1)) {
                return false;
            }
            Disposable armed = timer;
            if (armed != null) {
                armed.dispose();
            }
            return true;
        }
    }
}
