package dev.namegate.time;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.ThreadExecutorMap;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * A {@link Scheduler} whose delayed tasks scheduled from a Netty event loop run on that same loop.
 *
 * <p>Every lookup arms and cancels several timers (the deadline, each attempt's timeout, the
 * hedge delay, a retry's backoff) and nearly all are cancelled long before they fire. On
 * Reactor's parallel scheduler each of them takes a lock on a shared delay queue and often wakes
 * a parallel thread to re-arm its wait: a context switch per request on a busy core. A loop's
 * own timer queue is touched without a lock or a wake-up when used from that loop, and a timeout
 * that fires runs where the request's I/O runs. Tasks scheduled from any other thread, immediate
 * tasks, periodic tasks and workers go to {@code fallback}, whose clock this scheduler also uses.
 *
 * <p>{@link #readingFirst(Scheduler)} gives the variant for timeouts that wait for an answer.
 */
public final class EventLoopTimers implements Scheduler {

    private final Scheduler fallback;
    private final boolean readFirst;
    private final EventLoopTimers readingFirst;

    public EventLoopTimers(Scheduler fallback) {
        this(fallback, false);
    }

    private EventLoopTimers(Scheduler fallback, boolean readFirst) {
        this.fallback = fallback;
        this.readFirst = readFirst;
        this.readingFirst = readFirst ? this : new EventLoopTimers(fallback, true);
    }

    /**
     * {@code time}, except that a timer due on an event loop fires only after the loop's next pass
     * over its sockets; any other scheduler (a test's virtual time) as it is. For timeouts that wait
     * for an answer: a busy loop works through hundreds of connections in one pass, its timers run
     * after that pass, and an answer that arrived meanwhile would be thrown away unread, its attempt
     * counted as timed out, although it came in time.
     */
    public static Scheduler readingFirst(Scheduler time) {
        return time instanceof EventLoopTimers timers ? timers.readingFirst : time;
    }

    @Override
    public Disposable schedule(Runnable task) {
        return fallback.schedule(task);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        if (loop == null || loop.isShuttingDown()) {
            return fallback.schedule(task, delay, unit);
        }
        try {
            return readFirst ? new ReadFirstTimer(loop, task, delay, unit) : new LoopTimer(loop.schedule(task, delay, unit));
        } catch (RejectedExecutionException shuttingDown) {
            return fallback.schedule(task, delay, unit);
        }
    }

    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return fallback.schedulePeriodically(task, initialDelay, period, unit);
    }

    @Override
    public long now(TimeUnit unit) {
        return fallback.now(unit);
    }

    @Override
    public Worker createWorker() {
        return fallback.createWorker();
    }

    @Override
    public void init() {
        // the fallback is shared and managed by Reactor
    }

    @Override
    public void dispose() {
        // the fallback is shared and managed by Reactor; the loops belong to Reactor Netty
    }

    /** Cancelling from the loop removes the task at once; from elsewhere the loop removes it soon after. */
    private record LoopTimer(ScheduledFuture<?> future) implements Disposable {
        @Override
        public void dispose() {
            future.cancel(false);
        }

        @Override
        public boolean isDisposed() {
            return future.isDone();
        }
    }

    /**
     * Due, it goes back into the loop's timer queue once, at no delay: Netty takes due timers once
     * per pass, after the I/O, so the task runs after the next pass has read what arrived.
     */
    private static final class ReadFirstTimer implements Runnable, Disposable {
        private final EventExecutor loop;
        private final Runnable task;
        private volatile ScheduledFuture<?> pending;
        private volatile boolean disposed;
        private volatile boolean fired;

        ReadFirstTimer(EventExecutor loop, Runnable task, long delay, TimeUnit unit) {
            this.loop = loop;
            this.task = task;
            this.pending = loop.schedule(this, delay, unit);
        }

        @Override
        public void run() {
            if (!disposed) {
                pending = loop.schedule(this::fire, 0, TimeUnit.NANOSECONDS);
            }
        }

        private void fire() {
            if (!disposed) {
                fired = true;
                task.run();
            }
        }

        @Override
        public void dispose() {
            disposed = true;
            pending.cancel(false);
        }

        @Override
        public boolean isDisposed() {
            return disposed || fired;
        }
    }
}
