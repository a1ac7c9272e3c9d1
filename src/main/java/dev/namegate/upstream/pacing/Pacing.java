package dev.namegate.upstream.pacing;

import java.util.function.Supplier;

import reactor.core.publisher.Mono;

import dev.namegate.upstream.attempt.AttemptOutcome;

/** The pace of attempts toward the internal service: who may send now, and what the answers say. */
public interface Pacing {

    /**
     * The permit granted at once, as {@link #permit} returns it: a caller that finds it goes on
     * without subscribing, which on the path of nearly every lookup costs an operator.
     */
    Mono<Void> GRANTED = Mono.empty();

    /** No pacing: every attempt may go at once, and the answers change nothing. */
    Pacing UNLIMITED = new Pacing() {
        @Override
        public Mono<Void> permit(long maxWaitNanos, Supplier<? extends Throwable> refusal) {
            return GRANTED;
        }

        @Override
        public long hedgePermit(long slackNanos, long maxWaitNanos) {
            return 0;
        }

        @Override
        public void ended(AttemptOutcome outcome, boolean afterOwnStall) {
        }
    };

    /**
     * A permit for a first attempt or a retry, at once ({@link #GRANTED}) or within
     * {@code maxWaitNanos}; the Mono fails with {@code refusal} when none comes in time.
     */
    Mono<Void> permit(long maxWaitNanos, Supplier<? extends Throwable> refusal);

    /**
     * A permit for a hedge, which never queues: taken only when free within {@code slackNanos}
     * and nobody waits whose deadline is nearer than {@code maxWaitNanos} from now.
     *
     * @return nanoseconds to wait for the permit taken, or -1 when none was taken
     */
    long hedgePermit(long slackNanos, long maxWaitNanos);

    /**
     * How an attempt ended, by its {@link AttemptOutcome#pace()}.
     *
     * @param afterOwnStall our own event loops ran late just now
     */
    void ended(AttemptOutcome outcome, boolean afterOwnStall);
}
