package dev.namegate.upstream.pacing;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

import dev.namegate.upstream.attempt.AttemptOutcome;

/**
 * Hands out the {@link AdaptiveRateLimiter}'s permits earliest deadline first. When permits are
 * scarce (the internal service's limit is near), first come first served makes a retry wait
 * behind every first attempt that arrived since its own first attempt, and it is the retries,
 * with little time left, that then miss their deadline. Earliest deadline first lets a retry go
 * ahead; a first attempt, with the most time left, waits instead.
 *
 * <p>A caller takes a free permit at once when nobody waits; otherwise it queues, and a timer
 * grants permits as the limiter frees them, to the waiter whose deadline is nearest. A waiter
 * whose deadline passes is refused; a cancelled waiter leaves the queue.
 */
public final class DeadlineOrderedPermits implements Pacing {

    private final AdaptiveRateLimiter limiter;
    private final Scheduler scheduler;
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(
            (a, b) -> Long.compare(a.deadlineNanos, b.deadlineNanos));
    private Disposable timer;
    private long timerAtNanos;

    public DeadlineOrderedPermits(AdaptiveRateLimiter limiter, Scheduler scheduler) {
        this.limiter = limiter;
        this.scheduler = scheduler;
    }

    /** One caller waiting for a permit until {@code deadlineNanos} (the scheduler's clock). */
    private static final class Waiter {
        final long deadlineNanos;
        final MonoSink<Void> sink;
        final Supplier<? extends Throwable> refusal;

        Waiter(long deadlineNanos, MonoSink<Void> sink, Supplier<? extends Throwable> refusal) {
            this.deadlineNanos = deadlineNanos;
            this.sink = sink;
            this.refusal = refusal;
        }
    }

    /**
     * A permit, at once or when one is free, within {@code maxWaitNanos}; the Mono fails with
     * {@code refusal} when none comes in time.
     */
    @Override
    public Mono<Void> permit(long maxWaitNanos, Supplier<? extends Throwable> refusal) {
        limiter.asked();
        synchronized (this) {
            if (waiters.isEmpty() && limiter.reserve(0) == 0) {
                return GRANTED;
            }
        }
        if (maxWaitNanos <= 0) {
            return Mono.error(refusal);
        }
        return Mono.create(sink -> {
            Waiter waiter = new Waiter(now() + maxWaitNanos, sink, refusal);
            sink.onCancel(() -> {
                synchronized (this) {
                    waiters.remove(waiter);
                }
            });
            boolean queued;
            synchronized (this) {
                // refused at once rather than at its deadline when the permits before it are spoken for
                queued = expectedWaitNanos(waiter.deadlineNanos) <= maxWaitNanos;
                if (queued) {
                    waiters.add(waiter);
                    armTimer(limiter.nanosUntilFree());
                }
            }
            if (!queued) {
                sink.error(refusal.get()); // outside the lock: what runs on from here is not ours to hold
            }
        });
    }

    /** When a waiter with this deadline can expect its permit, at the current rate; caller holds the lock. */
    private long expectedWaitNanos(long deadlineNanos) {
        int ahead = 0;
        for (Waiter w : waiters) {
            if (w.deadlineNanos <= deadlineNanos) {
                ahead++;
            }
        }
        return limiter.nanosUntilFree() + (long) (ahead * (1e9 / limiter.rate()));
    }

    /**
     * A permit within {@code slackNanos} for a hedge, which never queues: only when nobody waits
     * whose deadline is nearer than the hedge's ({@code maxWaitNanos} from now).
     *
     * @return nanoseconds to wait for the permit taken, or -1 when none was taken
     */
    @Override
    public synchronized long hedgePermit(long slackNanos, long maxWaitNanos) {
        Waiter first = waiters.peek();
        if (first != null && first.deadlineNanos <= now() + maxWaitNanos) {
            return -1;
        }
        return limiter.reserveOptional(slackNanos);
    }

    @Override
    public void ended(AttemptOutcome outcome, boolean afterOwnStall) {
        switch (outcome.pace()) {
            case RATE_LIMITED -> limiter.onRateLimited(afterOwnStall);
            case ANSWERED -> limiter.onSuccess();
            case NONE -> {
                // nothing reached the service, or the delay was ours: no evidence either way
            }
        }
    }

    /** Grants free permits by deadline and refuses expired waiters; re-arms while any wait. */
    private void dispatch() {
        List<Waiter> granted = new ArrayList<>();
        List<Waiter> refused = new ArrayList<>();
        synchronized (this) {
            timer = null;
            long now = now();
            while (!waiters.isEmpty()) {
                Waiter first = waiters.peek();
                if (first.deadlineNanos < now) {
                    refused.add(waiters.poll());
                } else if (limiter.reserve(0) == 0) {
                    granted.add(waiters.poll());
                } else {
                    break;
                }
            }
            if (!waiters.isEmpty()) {
                armTimer(Math.min(limiter.nanosUntilFree(), waiters.peek().deadlineNanos - now + 1));
            }
        }
        granted.forEach(waiter -> waiter.sink.success());
        refused.forEach(waiter -> waiter.sink.error(waiter.refusal.get()));
    }

    /** Makes sure a dispatch runs within {@code delayNanos}; caller holds the lock. */
    private void armTimer(long delayNanos) {
        long at = now() + Math.max(0, delayNanos);
        if (timer != null && !timer.isDisposed() && timerAtNanos <= at) {
            return;
        }
        if (timer != null) {
            timer.dispose();
        }
        timerAtNanos = at;
        timer = scheduler.schedule(this::dispatch, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private long now() {
        return scheduler.now(TimeUnit.NANOSECONDS);
    }
}
