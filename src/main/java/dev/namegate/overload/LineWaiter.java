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
    /** The event loop the request arrived on, or none. */
    private final EventExecutor home;
    /** Answered or cancelled, whichever came first. */
    private final AtomicBoolean settled = new AtomicBoolean();

    /**
     * @param since when it came ({@code nanoClock})
     * @param pausedAt the pause clock when it came
     */
    LineWaiter(MonoSink<Boolean> sink, long since, long pausedAt) {
        this.sink = sink;
        this.since = since;
        this.pausedAt = pausedAt;
        this.home = ThreadExecutorMap.currentExecutor();
    }

    long since() {
        return since;
    }

    long pausedAt() {
        return pausedAt;
    }

    /**
     * Tells the request whether it may start. {@code onCancelledTurn} runs instead when it was
     * admitted but gone before the answer reached it: its place must be given back.
     */
    void answer(boolean admitted, Runnable onCancelledTurn) {
        if (home == null || home.inEventLoop()) {
            deliver(admitted, onCancelledTurn);
        } else {
            home.execute(() -> deliver(admitted, onCancelledTurn));
        }
    }

    private void deliver(boolean admitted, Runnable onCancelledTurn) {
        if (settled.compareAndSet(false, true)) {
            sink.success(admitted);
        } else if (admitted) {
            onCancelledTurn.run();
        }
    }

    /** The request went away: {@code true} when no answer had reached it yet. */
    boolean cancel() {
        return settled.compareAndSet(false, true);
    }
}
