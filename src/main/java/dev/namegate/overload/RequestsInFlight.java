package dev.namegate.overload;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many public requests are in progress: a lag with few of them is a neighbour's, not our
 * load's, and the admission limit starts from it.
 */
public final class RequestsInFlight {

    private final AtomicInteger count = new AtomicInteger();

    /** A public request starts; pair with {@link #leave()}. */
    public void enter() {
        count.incrementAndGet();
    }

    public void leave() {
        count.decrementAndGet();
    }

    public int count() {
        return count.get();
    }
}
