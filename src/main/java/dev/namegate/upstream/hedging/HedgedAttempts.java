package dev.namegate.upstream.hedging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.concurrent.TimeUnit;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

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
        Duration current = delay.current();
        return Mono.create(sink -> new Round<>(sink, attempt, current, reask, gate, scheduler, listener).start());
    }

    private static final class Round<T> {
        private final MonoSink<T> sink;
        private final IntFunction<Mono<T>> attempt;
        private final Duration delay;
        private final Duration reask;
        private final HedgeGate gate;
        private final Scheduler scheduler;
        private final HedgeListener listener;
        private final List<Disposable> running = new ArrayList<>(2);
        private Disposable hedgeTimer;
        private int started;
        private int inFlight;
        private boolean done;

        Round(MonoSink<T> sink, IntFunction<Mono<T>> attempt, Duration delay, Duration reask, HedgeGate gate,
                Scheduler scheduler, HedgeListener listener) {
            this.sink = sink;
            this.attempt = attempt;
            this.delay = delay;
            this.reask = reask;
            this.gate = gate;
            this.scheduler = scheduler;
            this.listener = listener;
        }

        void start() {
            sink.onDispose(this::cancelAll);
            launch();
        }

        private void launch() {
            int n;
            synchronized (this) {
                if (done) {
                    return;
                }
                n = started++;
                inFlight++;
            }
            boolean hedge = n > 0;
            Disposable d = attempt.apply(n).subscribe(
                    value -> won(value, hedge),
                    this::failed,
                    this::completed);
            synchronized (this) {
                if (done) {
                    d.dispose();
                    return;
                }
                running.add(d);
                if (hedgeTimer == null || hedgeTimer.isDisposed()) {
                    hedgeTimer = scheduler.schedule(this::hedgeDue, delay.toNanos(), TimeUnit.NANOSECONDS);
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
            switch (gate.tryHedge()) {
                case GO -> {
                    listener.hedgeSent();
                    launch();
                }
                case NOT_NOW -> {
                    synchronized (this) {
                        if (!done && inFlight > 0 && hedgeTimer == null) {
                            hedgeTimer = scheduler.schedule(this::hedgeDue, reask.toNanos(), TimeUnit.NANOSECONDS);
                        }
                    }
                }
                case NEVER -> {
                    // the attempts in flight finish the round
                }
            }
        }

        /**
         * Runs after every value too (a Mono's value implies completion), so the exception is made
         * only when no value came: a stack trace per request was the costliest thing on the hot path.
         */
        private void completed() {
            synchronized (this) {
                if (done) {
                    return;
                }
            }
            failed(new IllegalStateException("attempt completed without a value"));
        }

        private void won(T value, boolean hedge) {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
            }
            cancelAll();
            if (hedge) {
                listener.hedgeWon();
            }
            sink.success(value);
        }

        private void failed(Throwable error) {
            boolean finish;
            synchronized (this) {
                if (done) {
                    return;
                }
                inFlight--;
                boolean retryable = error instanceof AttemptFailure f && f.outcome().retryable();
                boolean localRefusal = error instanceof UpstreamFailure;
                finish = inFlight == 0 || !(retryable || localRefusal);
                if (finish) {
                    done = true;
                }
            }
            if (finish) {
                cancelAll();
                sink.error(error);
            }
        }

        private void cancelAll() {
            List<Disposable> toCancel;
            synchronized (this) {
                done = true;
                toCancel = new ArrayList<>(running);
                running.clear();
                if (hedgeTimer != null) {
                    toCancel.add(hedgeTimer);
                    hedgeTimer = null;
                }
            }
            for (Disposable d : toCancel) {
                d.dispose();
            }
        }
    }
}
