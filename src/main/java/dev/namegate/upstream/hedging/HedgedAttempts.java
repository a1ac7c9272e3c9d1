package dev.namegate.upstream.hedging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.attempt.AttemptFailure;

/**
 * One round of attempts with hedging, against slow answers: the first attempt starts
 * at once; while no attempt has answered, another starts every {@code delay}, as long as hedges
 * are left and the gate lets it (budget, time). The first answer wins and every other attempt is
 * cancelled (its exchange still reads a late answer, to keep the connection). The round fails
 * only when every attempt it started has failed: then the retry policy decides, on the last
 * failure, whether another round starts.
 *
 * <p>A hedge the gate refuses for now (no rate permit free this moment, say) is asked for again
 * after a short {@code reask}, not only when the next attempt starts.
 *
 * <p>A failure that must not be retried (a contract break, an unexpected error) ends the round at
 * once. A local refusal of a hedge (no rate permit, breaker open) only ends the round if nothing
 * else is in flight.
 *
 * <p>The round is an operator of its own, each attempt subscribed by a small subscriber of the
 * round's: {@code Mono.create} with lambda subscribers cost a sink, its disposal hooks and a
 * subscriber per attempt on every lookup.
 */
public final class HedgedAttempts {

    /** Decides, when a hedge is due, whether it may start (and takes what it costs when it may). */
    public interface HedgeGate {
        Verdict tryHedge();
    }

    /** A {@link HedgeGate}'s answer. */
    public enum Verdict {
        /** Start the hedge now. */
        GO,
        /** Not now (no rate permit free this moment): ask again shortly. */
        NOT_NOW,
        /** Not in this round (no hedges or time left). */
        NEVER
    }

    /** Hears hedges being sent and winning (for metrics). */
    public interface HedgeListener {
        HedgeListener NONE = new HedgeListener() {
        };

        default void hedgeSent() {
        }

        default void hedgeWon() {
        }
    }

    private HedgedAttempts() {
    }

    /**
     * @param attempt the n-th attempt of this round (0 = first, not a hedge)
     * @param delay time without an answer before a hedge
     * @param reask when the gate said {@link Verdict#NOT_NOW}, the time before it is asked again:
     *        one refused hedge must not leave a slow attempt alone until its timeout
     */
    public static <T> Mono<T> race(IntFunction<Mono<T>> attempt, HedgeDelay delay, Duration reask, HedgeGate gate,
            Scheduler scheduler, HedgeListener listener) {
        if (delay.off()) {
            return attempt.apply(0);
        }
        return new Race<>(attempt, delay.current(), reask, gate, scheduler, listener);
    }

    private static final class Race<T> extends Mono<T> {
        private final IntFunction<Mono<T>> attempt;
        private final Duration delay;
        private final Duration reask;
        private final HedgeGate gate;
        private final Scheduler scheduler;
        private final HedgeListener listener;

        Race(IntFunction<Mono<T>> attempt, Duration delay, Duration reask, HedgeGate gate, Scheduler scheduler,
                HedgeListener listener) {
            this.attempt = attempt;
            this.delay = delay;
            this.reask = reask;
            this.gate = gate;
            this.scheduler = scheduler;
            this.listener = listener;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            Round<T> round = new Round<>(actual, this);
            actual.onSubscribe(round);
            round.launch();
        }
    }

    private static final class Round<T> extends Operators.MonoSubscriber<T, T> {
        private final Race<T> race;
        /** The first attempt, and the hedges after it (made only when one starts). */
        private Entrant<T> first;
        private List<Entrant<T>> hedges;
        private Disposable hedgeTimer;
        private int started;
        private int inFlight;
        private boolean done;

        Round(CoreSubscriber<? super T> actual, Race<T> race) {
            super(actual);
            this.race = race;
        }

        void launch() {
            Entrant<T> entrant;
            int n;
            synchronized (this) {
                if (done) {
                    return;
                }
                n = started++;
                entrant = new Entrant<>(this, n > 0);
                inFlight++;
                if (first == null) {
                    first = entrant;
                } else {
                    if (hedges == null) {
                        hedges = new ArrayList<>(2);
                    }
                    hedges.add(entrant);
                }
            }
            race.attempt.apply(n).subscribe(entrant);
            synchronized (this) {
                if (!done && (hedgeTimer == null || hedgeTimer.isDisposed())) {
                    hedgeTimer = race.scheduler.schedule(this::hedgeDue, race.delay.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }

        private void hedgeDue() {
            synchronized (this) {
                hedgeTimer = null;
                if (done || inFlight == 0) {
                    return;
                }
            }
            switch (race.gate.tryHedge()) {
                case GO -> {
                    race.listener.hedgeSent();
                    launch();
                }
                case NOT_NOW -> {
                    synchronized (this) {
                        if (!done && inFlight > 0 && hedgeTimer == null) {
                            hedgeTimer = race.scheduler.schedule(this::hedgeDue, race.reask.toNanos(), TimeUnit.NANOSECONDS);
                        }
                    }
                }
                case NEVER -> {
                    // the attempts in flight finish the round
                }
            }
        }

        void won(T value, boolean hedge) {
            if (!finish()) {
                return;
            }
            if (hedge) {
                race.listener.hedgeWon();
            }
            complete(value);
        }

        void failed(Throwable error) {
            synchronized (this) {
                if (done) {
                    return;
                }
                inFlight--;
                boolean retryable = error instanceof AttemptFailure f && f.outcome().retryable();
                boolean localRefusal = error instanceof UpstreamFailure;
                if (inFlight > 0 && (retryable || localRefusal)) {
                    return;
                }
            }
            if (finish()) {
                actual.onError(error);
            }
        }

        @Override
        public void cancel() {
            super.cancel();
            finish();
        }

        /** Ends the round, cancelling every attempt and the hedge timer; whether this call ended it. */
        private boolean finish() {
            Entrant<T> firstToCancel;
            List<Entrant<T>> hedgesToCancel;
            Disposable timer;
            synchronized (this) {
                if (done) {
                    return false;
                }
                done = true;
                firstToCancel = first;
                hedgesToCancel = hedges;
                timer = hedgeTimer;
                hedgeTimer = null;
            }
            if (timer != null) {
                timer.dispose();
            }
            if (firstToCancel != null) {
                firstToCancel.cancel();
            }
            if (hedgesToCancel != null) {
                hedgesToCancel.forEach(Entrant::cancel);
            }
            return true;
        }
    }

    /** One attempt of a round, as the round's subscriber to it. */
    private static final class Entrant<T> implements CoreSubscriber<T> {
        private final Round<T> round;
        private final boolean hedge;
        private volatile Subscription subscription;
        private volatile boolean cancelled;
        /** Set by its first signal: a winner's source may still be completing, and is not cancelled. */
        private volatile boolean signalled;

        Entrant(Round<T> round, boolean hedge) {
            this.round = round;
            this.hedge = hedge;
        }

        /** Empty: an attempt needs nothing of the request's context. */
        @Override
        public Context currentContext() {
            return Context.empty();
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            // after the write: a cancel that came meanwhile has either seen it or is seen here
            if (cancelled) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(T value) {
            signalled = true;
            round.won(value, hedge);
        }

        @Override
        public void onError(Throwable error) {
            signalled = true;
            round.failed(error);
        }

        /** After a value too (a Mono's value implies its completion): only a completion without one fails the round. */
        @Override
        public void onComplete() {
            if (!signalled) {
                signalled = true;
                // a stack trace only where one is news: most rounds end with a value
                round.failed(new IllegalStateException("attempt completed without a value"));
            }
        }

        void cancel() {
            if (signalled) {
                return;
            }
            cancelled = true;
            Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
