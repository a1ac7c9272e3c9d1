package dev.namegate.overload;

import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;

import reactor.core.publisher.MonoSink;

/**
 * A request waiting in the {@link AdmissionGate}'s line, answered on the event loop it arrived on:
 * the request whose end let it in may be another loop's, and a request run on a loop not its
 * connection's has every write handed across. An answer and a cancellation may then cross; the
 * first settles it, and a turn that came for a request already gone is given back, or the gate
 * would count it in progress for ever. Off an event loop (tests) it is answered in place.
 */
final class LineWaiter {

    private final MonoSink<Boolean> sink;
    private final long since;
    private final long pausedAt;
    private final long longestWait;
    /** Gives its place back: runs when it was admitted but gone before the answer reached it. */
    private final Runnable giveBack;
    /** The event loop the request arrived on, or none. */
    private final EventExecutor home;
    /** Answered or cancelled, whichever came first. */
    private final AtomicBoolean settled = new AtomicBoolean();

    /**
     * @param since when it came ({@code nanoClock})
     * @param pausedAt the pause clock when it came
     * @param longestWait how long it may wait, the collector's pauses left out, before it is refused
     * @param giveBack what a turn that came too late gives back
     */
    LineWaiter(MonoSink<Boolean> sink, long since, long pausedAt, long longestWait, Runnable giveBack) {
        this.sink = sink;
        this.since = since;
        this.pausedAt = pausedAt;
        this.longestWait = longestWait;
        this.giveBack = giveBack;
        this.home = ThreadExecutorMap.currentExecutor();
    }

    long since() {
        return since;
    }

    long pausedAt() {
        return pausedAt;
    }

    long longestWait() {
        return longestWait;
    }

    /** Tells the request whether it may start; a turn that finds it gone is given back. */
    void answer(boolean admitted) {
        if (home == null || home.inEventLoop()) {
            deliver(admitted);
        } else {
            home.execute(() -> deliver(admitted));
        }
    }

    private void deliver(boolean admitted) {
        if (settled.compareAndSet(false, true)) {
            sink.success(admitted);
        } else if (admitted) {
            giveBack.run();
        }
    }

    /** The request went away: {@code true} when no answer had reached it yet. */
    boolean cancel() {
        return settled.compareAndSet(false, true);
    }
}
