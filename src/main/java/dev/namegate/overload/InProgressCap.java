package dev.namegate.overload;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.netty.channel.EventLoop;

/**
 * A closed loop's public requests in progress on one event loop, capped while the loop is busy
 * all the time: a saturated core serves as many with a few dozen in progress as with hundreds,
 * and each request in progress costs every other one its share of the core's caches, so 256
 * connections cost a miss a tenth more than 32 did (docs/benchmarks.md). Past the cap a closed
 * loop's next request waits, decoded, in a line here ({@link EarlyRefusal}), and goes on, first
 * come first served, as answers are written. An open loop's newcomers are neither held nor
 * counted: holding them would hide their excess from the admission gate that refuses it, and
 * counting them would let them take every place from the closed loops' line while they flood
 * in, starving it.
 *
 * <p>The cap follows the loop's busy share (its thread's CPU time over the wall time since the
 * last step): at or above {@code busyShare} it shrinks by {@code decrease}, down to {@code floor};
 * below it, with requests kept waiting, it grows by {@code increase}, since the loop has time for
 * more (an internal service that answers late needs hundreds in progress to keep the core busy);
 * below it with nobody waiting it is lifted, and while the admission gate limits. So it settles at
 * about the fewest in progress that keep the core busy. All calls on the loop's thread; one
 * instance per loop.
 */
final class InProgressCap {

    /** No cap. */
    static final int NONE = Integer.MAX_VALUE;

    private final Settings settings;
    private final LongSupplier threadCpuNanos;
    private final LongSupplier nanoClock;
    private final BooleanSupplier gateLimiting;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private final Runnable letInWaiting = this::letInWaiting;
    private int limit = NONE;
    private int inProgress;
    /** The most in progress at once since the last step. */
    private int mostInProgress;
    /** Someone waited since the last step. */
    private boolean waited;
    /** {@link #letInWaiting} is on the loop's task queue. */
    private boolean letInQueued;
    private long lastCpu;
    private long lastWall;

    /**
     * The cap's settings.
     *
     * @param floor the cap never falls below this
     * @param busyShare the loop's share of the wall time on CPU at which it counts as busy all the time
     * @param decrease the cap's factor at each step the loop is busy
     * @param increase the cap's factor at each step the loop has time while requests wait
     * @param stepNanos how often the cap is steered
     */
    record Settings(int floor, double busyShare, double decrease, double increase, long stepNanos) {
    }

    /**
     * @param gateLimiting whether the admission gate limits what it admits: the cap is lifted then,
     *     since the gate's line already holds the excess, and a second line ahead of it only
     *     delays a closed loop's requests that the gate would let in or refuse
     */
    InProgressCap(Settings settings, LongSupplier threadCpuNanos, LongSupplier nanoClock, BooleanSupplier gateLimiting) {
        this.settings = settings;
        this.threadCpuNanos = threadCpuNanos;
        this.nanoClock = nanoClock;
        this.gateLimiting = gateLimiting;
    }

    /** Starts steering the cap on {@code loop}, whose thread this instance belongs to. */
    void steerOn(EventLoop loop) {
        loop.execute(() -> {
            lastCpu = threadCpuNanos.getAsLong();
            lastWall = nanoClock.getAsLong();
        });
        loop.scheduleAtFixedRate(this::step, settings.stepNanos(), settings.stepNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether a closed loop's request would wait now: the cap is reached, or others wait already. */
    boolean full() {
        return inProgress >= limit || !waiting.isEmpty();
    }

    /** A closed loop's request goes on, counted in progress until {@link #left}. */
    void enter() {
        counted();
    }

    /** A request kept waiting for its turn: a connection's ({@link EarlyRefusal}). */
    interface Waiter {

        /** Its request goes on, counted in progress; false, and nothing goes on, if it no longer waits. */
        boolean letIn();
    }

    /** {@code connection}'s request waits for its turn, first come first let in. */
    void await(Waiter connection) {
        waiting.add(connection);
        waited = true;
    }

    /** A request counted by {@link #enter} or let in from the line has its answer, or its connection closed. */
    void left(EventLoop loop) {
        inProgress--;
        if (!waiting.isEmpty() && !letInQueued) {
            // not from within the answer's write: the next request's whole handling would run inside it
            letInQueued = true;
            loop.execute(letInWaiting);
        }
    }

    private void letInWaiting() {
        letInQueued = false;
        while (inProgress < limit && !waiting.isEmpty()) {
            counted(); // before it goes on: a request pipelined behind it asks the cap within letIn
            if (!waiting.poll().letIn()) {
                inProgress--;
            }
        }
    }

    private void counted() {
        if (++inProgress > mostInProgress) {
            mostInProgress = inProgress;
        }
    }

    /** One step of steering, from the loop's busy share since the last. */
    void step() {
        long cpu = threadCpuNanos.getAsLong();
        long wall = nanoClock.getAsLong();
        double busy = wall > lastWall ? (double) (cpu - lastCpu) / (wall - lastWall) : 0;
        lastCpu = cpu;
        lastWall = wall;
        if (gateLimiting.getAsBoolean()) {
            limit = NONE;
        } else if (busy >= settings.busyShare()) {
            limit = Math.max(settings.floor(), (int) (Math.min(limit, mostInProgress) * settings.decrease()));
        } else if (waited) {
            long grown = (long) Math.ceil(limit * settings.increase());
            limit = grown >= NONE ? NONE : (int) grown;
        } else {
            limit = NONE;
        }
        waited = !waiting.isEmpty();
        mostInProgress = inProgress;
        if (!waiting.isEmpty() && inProgress < limit && !letInQueued) {
            letInWaiting();
        }
    }

    /** The cap now; {@link #NONE} when there is none. */
    int limit() {
        return limit;
    }

    int inProgress() {
        return inProgress;
    }

    int waiting() {
        return waiting.size();
    }
}
