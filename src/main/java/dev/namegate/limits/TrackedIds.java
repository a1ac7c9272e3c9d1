package dev.namegate.limits;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The distinct ids counted over every client of this replica, against
 * {@code namegate.limits.quota.max-tracked-ids}: each {@link DistinctIdWindow} takes one before it
 * counts a new id and gives them back as its ids leave the window, so the quota's memory has a
 * bound however many keys are lifted.
 */
final class TrackedIds {

    private final long max;
    private final AtomicLong count = new AtomicLong();

    TrackedIds(long max) {
        this.max = max;
    }

    /** Takes one if the replica has room; lock-free, and never past {@code max}. */
    boolean tryTake() {
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    void giveBack(int ids) {
        count.addAndGet(-ids);
    }

    long count() {
        return count.get();
    }

    long max() {
        return max;
    }
}
