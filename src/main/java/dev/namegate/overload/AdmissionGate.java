package dev.namegate.overload;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Keeps an overloaded core working on as many requests as it can finish in time, and lets the rest
 * wait their turn in order rather than refusing them. Once the event loops run late under our own
 * load ({@code shedLagThreshold}) and the requests in progress would take {@code
 * shedMinTimeInProgress} to leave at the pace requests finish, it admits at most a limit of
 * requests at once, starting at what the core finishes in {@code limitStartTime}; a request read
 * while the pending probe is that late sets it, without waiting for the probe. Once per
 * {@code shedLagThreshold} it steers toward loops that keep time: the limit falls by
 * {@code limitDecrease} while they run late ({@code lagThreshold}) and grows by
 * {@code limitIncrease} while they keep time and it binds (never below {@code shedMinInFlight},
 * nor below what it admitted in {@code limitFloorTime} at its recent pace); it is lifted after
 * a second of punctual loops with the limit not reached and nobody refused on arrival
 * ({@link EarlyRefusals}), or after a second in which nobody waited in line as long as
 * {@code shedQueueTime}, nobody was refused on arrival and no probe was {@code shedLagThreshold}
 * late: a closed loop served at the core's pace, which the limit only slows. An excess of
 * requests lengthens its line until some wait that long (or give up first, which counts the
 * same), so that way out frees only an excess the line absorbs for a second. Requests over the
 * limit wait first in, first out; a request is refused (503) only once it has waited
 * {@code shedQueueTime}, when it would hardly finish in time, or the longer
 * {@code closedLoopQueueTime} for a request of a closed loop, whose refusal would come straight
 * back and free no time ({@link EarlyRefusal} tells them apart). The collector's pauses do not
 * count toward that wait: a pause holds up everyone in line at once and is over when they are
 * judged, and a closed loop's line, which waits most of that time already, would otherwise be
 * refused wholesale after each one. So a closed loop of a few hundred
 * connections is served in full at the core's pace, and twice the sustainable rate is turned away
 * before any work is spent on it instead of being started and timed out. Hand-written: the limit
 * follows the loops' lag, not the latency of requests that mostly wait for the internal service,
 * which the adaptive limiters of libraries go by.
 *
 * <p>Longer than most classes: the limit, its queue and the refusals on arrival it allows are one
 * state under one lock, and each rule carries the reason it is there.
 */
public final class AdmissionGate implements EventLoopProbe.Listener {

    /** No limit: every request is admitted at once. */
    static final int UNLIMITED = Integer.MAX_VALUE;
    /** Punctual loops and a limit not reached for this long lift the limit. */
    private static final long LIFT_AFTER_NANOS = 1_000_000_000L;
    /** The pace the limit's floor is taken from: counted in windows this long, the one before included. */
    private static final long PACE_WINDOW_NANOS = 1_000_000_000L;
    /** ...and averaged over at least this: a start is not a burst. */
    private static final long PACE_MIN_SPAN_NANOS = 100_000_000L;
    /** The pace requests finish at, before a limit is set, is counted in windows this long. */
    private static final long FINISH_WINDOW_NANOS = 100_000_000L;

    private final RequestsInFlight inFlight;
    private final double limitDecrease;
    private final double limitIncrease;
    private final int minLimit;
    private final long minTimeInProgressNanos;
    private final long limitFloorNanos;
    private final long limitStartNanos;
    private final long limitLagNanos;
    private final long lateNanos;
    private final long queueNanos;
    private final long closedLoopQueueNanos;
    private final long newcomerQueueNanos;
    private final long newcomerRefusalNanos;
    private final double newcomerShedShare;
    private final String servedAtPaceReason;
    private final String eitherReason;
    private final LongSupplier nanoClock;
    private final LongSupplier pauseClock;
    /** How long after a request found the loops late, but set no limit, the next looks again. */
    private final long lookAgainNanos;
    /** When the pending probe is due, and the collector's pauses then. */
    private volatile long probeDue;
    private volatile long probePausedAt;
    /** From when a request admitted at once looks whether the loops are late enough for a limit. */
    private volatile long lateFrom;
    /** Keeps the limit it was made with and is never steered: the {@link OverloadDrill}'s gates. */
    private final boolean fixed;
    private final ShedEpisodes episodes;
    private final Line waiting = new Line();
    private volatile int limit;
    /** When the gate last refused a request that had waited its longest. */
    private volatile long shedAt;
    /**
     * Set by a refusal on arrival, taken by the next probe: demand the limit held off at the door.
     * Taken in one step, since refusals on arrival are made outside the lock.
     */
    private final AtomicBoolean refusedOnArrival = new AtomicBoolean();
    /** Requests that left the line, admitted and refused after their wait, this window and the one before. */
    private final LineLeavers leavers;
    /** The same, counted from when the limit was last set: the pace the limit admits at. */
    private final LineLeavers pace;
    /** How fast requests finish: with those in progress, how long they take to leave. */
    private final FinishPace finishing;
    /** The pace requests finished at, as the last probe found it: 0 before one was measured, and at the drill's gates. */
    private double finishedPerSecond;
    private long steeredAt;
    private long slackSince = Long.MAX_VALUE;
    /** Whether every probe since {@code slackSince} found the loops punctual, and the line let in in time: the lift's reason. */
    private boolean punctualThroughout;
    private boolean servedAtPaceThroughout;
    /** The longest any request waited in line since the last probe. */
    private long longestWait;

    /** @param pauseClock nanoseconds the JVM has spent stopped by its garbage collector ({@link GcPauses}) */
    public AdmissionGate(OverloadProperties properties, RequestsInFlight inFlight, LongSupplier nanoClock,
            LongSupplier pauseClock) {
        this(properties, inFlight, nanoClock, pauseClock, UNLIMITED, false);
    }

    private AdmissionGate(OverloadProperties properties, RequestsInFlight inFlight, LongSupplier nanoClock,
            LongSupplier pauseClock, int limit, boolean fixed) {
        this.fixed = fixed;
        this.limit = limit;
        this.inFlight = inFlight;
        this.limitDecrease = properties.limitDecrease();
        this.limitIncrease = properties.limitIncrease();
        this.minLimit = Math.max(1, properties.shedMinInFlight());
        this.minTimeInProgressNanos = properties.shedMinTimeInProgress().toNanos();
        this.limitFloorNanos = properties.limitFloorTime().toNanos();
        this.limitStartNanos = properties.limitStartTime().toNanos();
        this.limitLagNanos = properties.shedLagThreshold().toNanos();
        this.lateNanos = properties.lagThreshold().toNanos();
        this.queueNanos = properties.shedQueueTime().toNanos();
        // the drill's gates stand for an open loop's excess, whatever its connections do
        this.closedLoopQueueNanos = fixed ? queueNanos : properties.closedLoopQueueTime().toNanos();
        this.newcomerQueueNanos = properties.refuseNewcomersAfter().toNanos();
        this.newcomerRefusalNanos = properties.refuseNewcomersFor().toNanos();
        this.newcomerShedShare = properties.refuseNewcomersShare();
        this.servedAtPaceReason = "every request let in within " + properties.shedQueueTime().toMillis() + " ms";
        this.eitherReason = "event loops punctual or " + servedAtPaceReason;
        this.leavers = new LineLeavers(newcomerRefusalNanos, nanoClock.getAsLong());
        this.pace = new LineLeavers(PACE_WINDOW_NANOS, nanoClock.getAsLong());
        this.finishing = new FinishPace(FINISH_WINDOW_NANOS, nanoClock.getAsLong(), inFlight.finished());
        this.nanoClock = nanoClock;
        this.pauseClock = pauseClock;
        this.lookAgainNanos = properties.probeInterval().toNanos();
        this.lateFrom = never();
        forgetSheds();
        this.episodes = new ShedEpisodes();
    }

    /**
     * A gate that admits nobody, for the {@link OverloadDrill}: everyone waits the shed queue time
     * in its line and is refused, and newcomers are refused on arrival once the line has waited,
     * by the same code and state a gate has in an overload.
     */
    static AdmissionGate shut(OverloadProperties properties, LongSupplier nanoClock, LongSupplier pauseClock) {
        return fixed(properties, nanoClock, pauseClock, 0);
    }

    /**
     * A gate that admits {@code limit} at once whatever the loops do, for the {@link OverloadDrill}:
     * those over it wait their turn, are let in as others leave, or are refused once they have
     * waited the shed queue time; those still waiting when the probe stops are refused.
     */
    static AdmissionGate fixed(OverloadProperties properties, LongSupplier nanoClock, LongSupplier pauseClock, int limit) {
        return new AdmissionGate(properties, new RequestsInFlight(), nanoClock, pauseClock, limit, true);
    }

    /**
     * Admits a request: {@code true} once it may start (at once while no limit binds), {@code false}
     * when it is refused. Every admitted request must be paired with {@link #leave()}.
     */
    public Mono<Boolean> admit() {
        return admitAtOnce() ? Mono.just(Boolean.TRUE) : awaitTurn(false);
    }

    /**
     * The hot path, no allocation: {@code true} and admitted while no limit is set, unless the
     * loops are found late enough to set one now.
     */
    public boolean admitAtOnce() {
        if (limit != UNLIMITED) {
            return false;
        }
        long now = nanoClock.getAsLong();
        if (now - lateFrom >= 0 && limitSetOnRead(now)) {
            return false;
        }
        inFlight.enter();
        return true;
    }

    /**
     * The pending probe is {@code shedLagThreshold} overdue as a request is read: the loop is in a
     * pass over its sockets, which reads and starts whatever arrived during the pass before, and
     * the probe runs only after it. At an overload's onset each pass is longer than the last, so
     * a limit set by the probe came 35-63 ms late in half the onsets measured, and the requests
     * that pass started were answered late (docs/benchmarks.md). So the limit is set here, as the
     * probe would, and the rest of the pass waits in line. Looked at once per probe interval
     * while it sets none (a neighbour's lag, a collector's pause).
     *
     * @return whether a limit is set
     */
    private synchronized boolean limitSetOnRead(long now) {
        if (limit == UNLIMITED) {
            long ownLag = now - probeDue - (pauseClock.getAsLong() - probePausedAt);
            adjust(ownLag, now);
        }
        if (limit == UNLIMITED) {
            lateFrom = now + lookAgainNanos;
            return false;
        }
        return true;
    }

    /**
     * The earliest pending probe is due at {@code dueNanos}: from {@code shedLagThreshold} after
     * it, requests admitted at once look whether a limit is due.
     */
    @Override
    public void due(long dueNanos, long pausedNanos) {
        probePausedAt = pausedNanos;
        probeDue = dueNanos;
        lateFrom = dueNanos + limitLagNanos;
    }

    /** Far enough ahead for a clock's difference not to overflow. */
    private long never() {
        return nanoClock.getAsLong() + Long.MAX_VALUE / 2;
    }

    /**
     * As {@link #admit()} once {@link #admitAtOnce()} said no: it may still start at once, or wait,
     * up to {@code closedLoopQueueTime} for a request of a closed loop ({@code closedLoopWithin}
     * of an answer on its connection), which a refusal would only bring straight back.
     */
    public Mono<Boolean> awaitTurn(boolean closedLoop) {
        long longestWait = closedLoop ? closedLoopQueueNanos : queueNanos;
        return Mono.create(sink -> {
            Boolean now = admitOrQueue(sink, closedLoop, longestWait);
            if (now != null) {
                sink.success(now);
            }
        });
    }

    /**
     * {@code null} when queued, the answer otherwise. No request is refused before it has waited:
     * under a closed loop a refusal comes straight back as the next request, and refusals judged
     * from an estimate of the wait feed on themselves as the work they take lowers the throughput
     * the estimate is made from. One connection has one request at a time, so the queue is bounded
     * by the connections the server accepts.
     */
    private synchronized Boolean admitOrQueue(MonoSink<Boolean> sink, boolean closedLoop, long longestWait) {
        if (waiting.isEmpty() && inFlight.count() < limit) {
            inFlight.enter();
            long now = nanoClock.getAsLong();
            leavers.admitted(now);
            pace.admitted(now);
            return Boolean.TRUE;
        }
        LineWaiter waiter = new LineWaiter(sink, nanoClock.getAsLong(), pauseClock.getAsLong(), longestWait, this::leave);
        waiting.add(waiter, closedLoop);
        sink.onCancel(() -> cancel(waiter));
        return null;
    }

    private void cancel(LineWaiter waiter) {
        if (waiter.cancel()) {
            synchronized (this) {
                waiting.remove(waiter);
                // a client that gave up waiting is demand the line did not serve in time, as a refusal is
                longestWait = Math.max(longestWait, queueWaitSoFar(waiter, nanoClock.getAsLong()));
            }
        }
    }

    /** An admitted request finished: the next in line may start. */
    public void leave() {
        inFlight.leave();
        // nobody waits while no limit is set: the probe that lifts it lets everyone waiting in
        if (limit != UNLIMITED) {
            release(nanoClock.getAsLong());
        }
    }

    /** Starts waiters while the limit allows, and refuses those that waited too long; answers outside the lock. */
    private void release(long now) {
        while (true) {
            LineWaiter next;
            boolean admitted;
            synchronized (this) {
                LineWaiter newcomer = waiting.firstNewcomer();
                LineWaiter closedLoop = waiting.firstOfClosedLoops();
                next = overdue(newcomer, now) ? newcomer
                        : overdue(closedLoop, now) ? closedLoop : Line.earlier(newcomer, closedLoop);
                if (next == null) {
                    return;
                }
                long waited = waitedNanos(next, now);
                admitted = waited < next.longestWait();
                if (admitted && inFlight.count() >= limit) {
                    return;
                }
                waiting.take(next);
                longestWait = Math.max(longestWait, queueWait(next, waited));
                if (admitted) {
                    inFlight.enter();
                    leavers.admitted(now);
                    pace.admitted(now);
                } else {
                    shedAt = now;
                    leavers.refused(now);
                }
            }
            next.answer(admitted);
        }
    }

    /** Whether {@code waiter}, if any, has waited its longest. */
    private boolean overdue(LineWaiter waiter, long now) {
        return waiter != null && waitedNanos(waiter, now) >= waiter.longestWait();
    }

    @Override
    public void probed(long lag) {
        long now = nanoClock.getAsLong();
        if (!fixed) {
            adjust(lag, now);
        }
        release(now);
    }

    private synchronized void adjust(long lag, long now) {
        int inProgress = inFlight.count();
        finishedPerSecond = finishing.perSecond(now, inFlight.finished(), inProgress >= minLimit);
        if (limit == UNLIMITED) {
            if (lag >= limitLagNanos && inProgress >= minLimit
                    && inProgress >= finishedPerSecond * minTimeInProgressNanos / 1e9) {
                limit = startingLimit(inProgress, finishedPerSecond);
                steeredAt = now;
                slackSince = Long.MAX_VALUE;
                // one made as a limit was lifted says nothing of this episode
                refusedOnArrival.set(false);
                pace.forget(now);
                episodes.started(lag, inProgress, limit);
            }
            return;
        }
        boolean reached = inProgress >= limit || !waiting.isEmpty();
        boolean refused = refusedOnArrival.getAndSet(false);
        // Refusals on arrival keep the line short and the loops punctual; the limit is what makes
        // them possible, so it is not lifted while they happen, or it would be mid-overload.
        boolean heldOff = reached || refused;
        boolean punctual = lag < lateNanos && !heldOff;
        // a closed loop's line waits (connections - limit) / pace however well it is served: only a
        // wait long enough to be refused says more arrive than the core serves
        boolean servedAtPace = lag < limitLagNanos && !refused && longestWait(now) < queueNanos;
        longestWait = 0;
        if (punctual || servedAtPace) {
            boolean slackGoesOn = slackSince != Long.MAX_VALUE;
            punctualThroughout = (!slackGoesOn || punctualThroughout) && punctual;
            servedAtPaceThroughout = (!slackGoesOn || servedAtPaceThroughout) && servedAtPace;
            slackSince = Math.min(slackSince, now);
            if (now - slackSince >= LIFT_AFTER_NANOS) {
                limit = UNLIMITED;
                slackSince = Long.MAX_VALUE;
                episodes.ended(punctualThroughout ? "event loops punctual"
                        : servedAtPaceThroughout ? servedAtPaceReason : eitherReason);
                return;
            }
            if (punctual) {
                return;
            }
        } else {
            slackSince = Long.MAX_VALUE;
        }
        // one step per lag's worth of time: what a step admits must show in the lag before the next
        if (now - steeredAt < limitLagNanos) {
            return;
        }
        steeredAt = now;
        if (lag >= lateNanos) {
            limit = Math.max(floor(now), (int) (limit * limitDecrease));
        } else if (reached) {
            // below UNLIMITED: a raised limit is still a limit
            limit = (int) Math.min(UNLIMITED - 1L, Math.max(limit + 1L, (long) (limit * limitIncrease)));
        }
    }

    /**
     * What the core finishes in {@code limitStartTime} at its pace, at most the requests in
     * progress; those in progress while no pace is known yet.
     */
    private int startingLimit(int inProgress, double finishedPerSecond) {
        if (limitStartNanos == 0 || finishedPerSecond <= 0) {
            return inProgress;
        }
        return (int) Math.max(minLimit, Math.min(inProgress, requestsIn(limitStartNanos, finishedPerSecond)));
    }

    /**
     * The least the limit falls to: {@code shedMinInFlight}, or what the gate admitted in
     * {@code limitFloorTime} at its pace since the limit was set. A closed loop of a few hundred
     * connections keeps the loops late however few requests are admitted, since every answer
     * brings a request to read; a limit below that pace only lowers it (each pass over the sockets
     * finishes fewer requests) and lengthens the line until its waits are refused. A quarter of a
     * core admits so few a second that the minimum holds.
     */
    private int floor(long now) {
        long admittedInFloorTime = requestsIn(limitFloorNanos, pace.admittedPerSecond(now, PACE_MIN_SPAN_NANOS));
        return (int) Math.max(minLimit, Math.min(UNLIMITED - 1L, admittedInFloorTime));
    }

    /** How many requests {@code nanos} holds at {@code perSecond}. */
    private static long requestsIn(long nanos, double perSecond) {
        return Math.round(perSecond * nanos / 1e9);
    }

    /**
     * The longest wait in line since the last probe, the wait of the one still first in line
     * included, each as a share of the shed queue time ({@link #queueWait}).
     */
    private long longestWait(long now) {
        return Math.max(longestWait, Math.max(queueWaitSoFar(waiting.firstNewcomer(), now),
                queueWaitSoFar(waiting.firstOfClosedLoops(), now)));
    }

    /** {@link #queueWait} of what {@code waiter} has waited by {@code now}; the least there is when none waits. */
    private long queueWaitSoFar(LineWaiter waiter, long now) {
        return waiter == null ? Long.MIN_VALUE : queueWait(waiter, waitedNanos(waiter, now));
    }

    /**
     * A waiter's wait less what its own longest wait has over the shed queue time: a closed loop's
     * request waits longer, and only its reaching that longest wait says more arrive than the
     * core serves.
     */
    private long queueWait(LineWaiter waiter, long waited) {
        return waited - (waiter.longestWait() - queueNanos);
    }

    /** How long a waiter has waited, the collector's pauses since it came left out once that matters. */
    private long waitedNanos(LineWaiter waiter, long now) {
        long waited = now - waiter.since();
        // the pause clock is read only for a wait that could be judged long: most are short
        return waited < newcomerQueueNanos ? waited : waited - (pauseClock.getAsLong() - waiter.pausedAt());
    }

    /** The probe stopped: the limit is lifted and everyone waiting starts (is refused, at a fixed gate). */
    @Override
    public void stopped() {
        if (!fixed) {
            synchronized (this) {
                limit = UNLIMITED;
                lateFrom = never();
                slackSince = Long.MAX_VALUE;
                refusedOnArrival.set(false);
                forgetSheds();
                leavers.forget(nanoClock.getAsLong());
                episodes.reset();
            }
        }
        answerEveryoneWaiting(!fixed);
    }

    private void answerEveryoneWaiting(boolean admitted) {
        while (true) {
            LineWaiter next;
            synchronized (this) {
                next = waiting.pollFirst();
                if (next == null) {
                    return;
                }
                if (admitted) {
                    inFlight.enter();
                }
            }
            next.answer(admitted);
        }
    }

    /** As if the gate had refused nobody for {@code refuseNewcomersFor}. */
    private void forgetSheds() {
        shedAt = nanoClock.getAsLong() - newcomerRefusalNanos;
    }

    /**
     * True while the request first in line has waited {@code refuseNewcomersAfter}, or those in
     * line would take that long to let in at the pace the gate lets them in, the gate refused a
     * request that waited its longest within {@code refuseNewcomersFor}, and refusals are at least
     * {@code refuseNewcomersShare} of the requests the line saw lately: more arrive than the core
     * can serve (twice the sustainable rate), one arriving now would wait about as long, and most
     * such are refused in the end, so they are best refused before any work is spent on them. The
     * line's length says so sooner than its first's wait when many more arrive than the core
     * serves: those let in while the first had waited less would wait past the shed queue time,
     * and be refused then through WebFlux, at several times the cost of a refusal on arrival. A
     * line that never waits its longest, or only through a stall, is a closed loop served at the
     * core's pace: it sends every refusal straight back, so refusing it frees no time, and nobody
     * is refused on arrival then.
     */
    public boolean refusingNewcomers() {
        if (limit == UNLIMITED) {
            return false;
        }
        long now = nanoClock.getAsLong();
        if (now - shedAt >= newcomerRefusalNanos) {
            return false;
        }
        synchronized (this) {
            LineWaiter first = waiting.first();
            // The waits and the share in one comparison, each negative when short: the drill's
            // gate refuses everyone, so a share under the threshold is never seen before an
            // overload, and C2 compiles an outcome never seen as a trap whose recompile of the
            // connections' read path, where this is inlined, took 400 ms of the core
            // (docs/benchmarks.md). The line's term has the sign of its time to let in, less
            // refuseNewcomersAfter; at a pace of 0 (a shut gate) anyone in line is too many.
            long lineBeyond = (long) (waiting.size() * 1e9 - newcomerQueueNanos * letInPerSecond(now));
            return first != null && (Math.max(waitedNanos(first, now) - newcomerQueueNanos, lineBeyond)
                    | Double.doubleToRawLongBits(leavers.refusedBeyond(newcomerShedShare, now))) >= 0;
        }
    }

    /**
     * The pace the line is let in at: what the gate admitted since its limit was set, or the pace
     * requests finished at before, whichever is higher: the first is low for a while after the
     * limit is set (its count starts then), and the second is not measured at the drill's gates.
     */
    private double letInPerSecond(long now) {
        return Math.max(pace.admittedPerSecond(now, PACE_MIN_SPAN_NANOS), finishedPerSecond);
    }

    /**
     * A request was refused on arrival, on the gate's word ({@link #refusingNewcomers()}): counted
     * with those refused after their wait, as the demand over the core's pace it is.
     */
    void refusedOnArrival() {
        refusedOnArrival.set(true);
        synchronized (this) {
            leavers.refused(nanoClock.getAsLong());
        }
    }

    /** Whether a limit is set: the core was found overloaded and is not yet found otherwise. */
    public boolean limiting() {
        return limit != UNLIMITED;
    }

    /** Requests admitted at once now; {@link Integer#MAX_VALUE} while no limit is set. */
    public int limit() {
        return limit;
    }

    /** Requests waiting for their turn. */
    public synchronized int waiting() {
        return waiting.size();
    }
}
