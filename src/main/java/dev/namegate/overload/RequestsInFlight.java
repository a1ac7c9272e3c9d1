package dev.namegate.overload;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many public requests are in progress, and how many have finished: a lag with few of them
 * is a neighbour's, not our load's, the admission limit starts from it, and the finishes give the
 * pace at which those in progress leave.
 */
public final class RequestsInFlight {

    private final AtomicLong entered = new AtomicLong();
    private final AtomicLong left = new AtomicLong();

    /** A public request starts; pair with {@link #leave()}. */
    public void enter() {
        entered.incrementAndGet();
    }

    public void leave() {
        left.incrementAndGet();
    }

    public int count() {
        // the leavers first: whatever enters meanwhile, the count is not negative
        long finished = left.get();
        return (int) (entered.get() - finished);
    }

    /** Requests that finished since the start. */
    public long finished() {
        return left.get();
    }
}
