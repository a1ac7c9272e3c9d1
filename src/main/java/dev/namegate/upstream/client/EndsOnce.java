package dev.namegate.upstream.client;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * A Mono's subscriber that ends once, by whichever comes first of its source's end, its timer
 * ({@link #run}) and a cancel: each of them asks {@link #end()}, and only the first is told yes.
 * The end disarms the timer. Values go out through {@link #complete}, which keeps to the
 * subscriber's demand.
 */
abstract class EndsOnce<T> extends Operators.MonoSubscriber<T, T> implements Runnable {

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<EndsOnce> ENDED = AtomicIntegerFieldUpdater.newUpdater(EndsOnce.class, "ended");

    /** Read once: what is below asks for it often, and each ask would walk the chain above. */
    private final Context context;
    private volatile Disposable timer;
    /** 1 once ended. */
    private volatile int ended;

    EndsOnce(CoreSubscriber<? super T> actual) {
        super(actual);
        this.context = actual.currentContext();
    }

    @Override
    public final Context currentContext() {
        return context;
    }

    /** Only without a value: a value ends it already. */
    @Override
    public void onComplete() {
        if (end()) {
            actual.onComplete();
        }
    }

    /** Arms the timer, unless this ended meanwhile. */
    final void arm(Scheduler timers, long delayNanos) {
        Disposable armed = timers.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
        timer = armed;
        // after the write: an end that came meanwhile has either seen it or is seen here
        if (ended != 0) {
            armed.dispose();
        }
    }

    /** Whether this call ended it; the first disarms the timer. */
    final boolean end() {
        if (!ENDED.compareAndSet(this, 0, 1)) {
            return false;
        }
        Disposable armed = timer;
        if (armed != null) {
            armed.dispose();
        }
        return true;
    }

    final boolean ended() {
        return ended != 0;
    }
}
