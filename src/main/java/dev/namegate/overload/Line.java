package dev.namegate.overload;

import java.util.ArrayDeque;

/**
 * The {@link AdmissionGate}'s line: newcomers' requests and closed loops', each kind first in,
 * first out, let in in the order they came. Two lines, since each kind is refused at a wait of
 * its own: in one, a newcomer past its wait behind a closed loop's request that may still wait
 * would be refused only once first, as late as that longer wait. Under the gate's lock.
 */
final class Line {

    private final ArrayDeque<LineWaiter> newcomers = new ArrayDeque<>();
    private final ArrayDeque<LineWaiter> closedLoops = new ArrayDeque<>();

    void add(LineWaiter waiter, boolean closedLoop) {
        (closedLoop ? closedLoops : newcomers).addLast(waiter);
    }

    boolean isEmpty() {
        return newcomers.isEmpty() && closedLoops.isEmpty();
    }

    int size() {
        return newcomers.size() + closedLoops.size();
    }

    void remove(LineWaiter waiter) {
        if (!newcomers.remove(waiter)) {
            closedLoops.remove(waiter);
        }
    }

    /** The newcomer that has waited longest, or {@code null}. */
    LineWaiter firstNewcomer() {
        return newcomers.peekFirst();
    }

    /** The closed loop's request that has waited longest, or {@code null}. */
    LineWaiter firstOfClosedLoops() {
        return closedLoops.peekFirst();
    }

    /** Whichever of the two came first, or {@code null} when both lines are empty. */
    LineWaiter first() {
        return earlier(newcomers.peekFirst(), closedLoops.peekFirst());
    }

    static LineWaiter earlier(LineWaiter newcomer, LineWaiter closedLoop) {
        return newcomer == null ? closedLoop
                : closedLoop == null || newcomer.since() - closedLoop.since() <= 0 ? newcomer : closedLoop;
    }

    /** Takes {@code first}, the first of its kind, out of the line. */
    void take(LineWaiter first) {
        if (newcomers.peekFirst() == first) {
            newcomers.pollFirst();
        } else {
            closedLoops.pollFirst();
        }
    }

    /** Takes out whichever came first, or {@code null}. */
    LineWaiter pollFirst() {
        LineWaiter first = first();
        if (first != null) {
            take(first);
        }
        return first;
    }
}
