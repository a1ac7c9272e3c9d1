package dev.namegate.overload;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many public requests are in progress (a lag with few of them is a neighbour's, not our
 * load's), and how many have finished (what the process gets done per second).
 */
public final class RequestsInFlight {

    private final AtomicInteger count = new AtomicInteger();
    private final LongAdder finished = new LongAdder();

    /** A public request starts; pair with {@link #leave()}. */
    public void enter() {
        count.incrementAndGet();
    }

    public void leave() {
        count.decrementAndGet();
        finished.increment();
    }

    public int count() {
        return count.get();
    }

    /** Requests that entered and have left since the start. */
    public long finished() {
        return finished.sum();
    }
}
