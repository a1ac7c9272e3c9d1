package dev.namegate.overload;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.springframework.context.SmartLifecycle;

import io.netty.util.concurrent.EventExecutor;

/**
 * Measures how late the event loops run a task scheduled on them: the one sign that this process,
 * not the internal service, is why answers are late. Every loop gets a probe every
 * {@code probeInterval}; a probe that runs {@code lagThreshold} late (or is that overdue) means the
 * loops ran late, and for {@code hold} after it a missed timeout may well be ours. Each probe is
 * one scheduled task per loop, so an idle process pays a few hundred tasks a second. Each probe's
 * verdict goes to a {@link Listener} (the admission gate) with the time the collector stopped the
 * JVM taken out: a pause delays every probe, yet it is over when the probe runs and says nothing
 * of how much work the loops have, so it must not make the gate hold requests back.
 */
public final class EventLoopProbe implements SmartLifecycle {

    /** Hears every probe (on the probed loop) and the probe stopping. */
    public interface Listener {
        /** @param lagNanos the worst current lag over all loops */
        void probed(long lagNanos);

        /**
         * The earliest pending probe is due at {@code dueNanos}, scheduled when the collector's
         * pauses stood at {@code pausedNanos}: a request read while it is overdue can tell how late
         * the loops run before the probe does, which waits for the loop's pass over its sockets.
         */
        default void due(long dueNanos, long pausedNanos) {
        }

        default void stopped() {
        }
    }

    private final Supplier<List<EventExecutor>> loopSource;
    private final long intervalNanos;
    private final long thresholdNanos;
    private final long holdNanos;
    private final boolean enabled;
    private final LongSupplier nanoClock;
    private final LongSupplier pauseClock;
    private final Listener listener;
    private volatile long lateAt;
    /** The loops being probed; {@code null} while stopped. */
    private volatile Probes probes;

    /**
     * @param loopSource the loops to probe, asked again at every {@link #start()}: the loops of a
     *        server that is stopped and started again are new ones
     * @param pauseClock nanoseconds the JVM has spent stopped by its garbage collector ({@link GcPauses})
     */
    public EventLoopProbe(Supplier<List<EventExecutor>> loopSource, OverloadProperties properties, LongSupplier nanoClock,
            LongSupplier pauseClock, Listener listener) {
        this.loopSource = loopSource;
        this.intervalNanos = properties.probeInterval().toNanos();
        this.thresholdNanos = properties.lagThreshold().toNanos();
        this.holdNanos = properties.hold().toNanos();
        this.enabled = properties.enabled();
        this.nanoClock = nanoClock;
        this.pauseClock = pauseClock;
        this.listener = listener;
        this.lateAt = nanoClock.getAsLong() - holdNanos - 1;
    }

    /**
     * The loops to probe, and for each when its pending probe is due, the pause clock when it was
     * scheduled, and how late its last one ran: in all, and with the collector's pauses taken out.
     */
    private record Probes(List<EventExecutor> loops, AtomicLongArray dueAt, AtomicLongArray pausedAt,
            AtomicLongArray lastLag, AtomicLongArray lastOwnLag) {
        static Probes of(List<EventExecutor> loops) {
            if (loops.isEmpty()) {
                throw new IllegalStateException("no event loops to probe");
            }
            int n = loops.size();
            return new Probes(List.copyOf(loops), new AtomicLongArray(n), new AtomicLongArray(n), new AtomicLongArray(n),
                    new AtomicLongArray(n));
        }
    }

    /** False with {@code namegate.overload.enabled=false}: nothing is probed and nothing runs late. */
    public boolean enabled() {
        return enabled;
    }

    /** Starts probing the loops the source gives now (unless switched off). */
    @Override
    public synchronized void start() {
        if (!enabled) {
            return;
        }
        Probes started = Probes.of(loopSource.get());
        // every loop due an interval from now before anyone can read them: a loop whose first
        // probe is not scheduled yet would otherwise read as due at 0, i.e. hours overdue
        long now = nanoClock.getAsLong();
        long paused = pauseClock.getAsLong();
        for (int i = 0; i < started.loops().size(); i++) {
            started.dueAt().set(i, now + intervalNanos);
            started.pausedAt().set(i, paused);
        }
        lateAt = now - holdNanos - 1;
        probes = started;
        for (int i = 0; i < started.loops().size(); i++) {
            schedule(started, i, paused);
        }
    }

    /** Stops probing; until started again nothing runs late. */
    @Override
    public synchronized void stop() {
        probes = null;
        listener.stopped();
    }

    @Override
    public boolean isRunning() {
        return probes != null;
    }

    /**
     * As a Spring bean: after the {@code ReactorResourceFactory} (phase 0) has its loops, before it
     * disposes them, and also stopped while a context is paused, so no probe outlives its loops.
     */
    @Override
    public int getPhase() {
        return 1;
    }

    private void schedule(Probes p, int loop, long paused) {
        long due = nanoClock.getAsLong() + intervalNanos;
        p.pausedAt().set(loop, paused);
        p.dueAt().set(loop, due);
        try {
            p.loops().get(loop).schedule(() -> probe(p, loop, due), intervalNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shutDown) {
            // a loop that is gone runs nothing late: it must not look overdue forever
            p.dueAt().set(loop, Long.MAX_VALUE);
        }
        if (probes == p) {
            announceEarliestDue(p);
        }
    }

    private void announceEarliestDue(Probes p) {
        int earliest = 0;
        for (int i = 1; i < p.loops().size(); i++) {
            if (p.dueAt().get(i) < p.dueAt().get(earliest)) {
                earliest = i;
            }
        }
        listener.due(p.dueAt().get(earliest), p.pausedAt().get(earliest));
    }

    private void probe(Probes p, int loop, long due) {
        if (probes != p) {
            return; // stopped, or started again on other loops
        }
        long now = nanoClock.getAsLong();
        long lag = Math.max(0, now - due);
        p.lastLag().set(loop, lag);
        long paused = pauseClock.getAsLong(); // read once per probe: the collectors' accounts are not free
        p.lastOwnLag().set(loop, Math.max(0, lag - (paused - p.pausedAt().get(loop))));
        boolean late = lag >= thresholdNanos;
        if (late) {
            lateAt = now;
        }
        // the next probe first, so whoever sees this probe's effect sees it scheduled
        schedule(p, loop, paused);
        if (probes == p) {
            listener.probed(ownLagNanos(p, now, paused));
        }
    }

    /** As {@link #lagNanos()}, less the collector's pauses since each probe was scheduled. */
    private long ownLagNanos(Probes p, long now, long paused) {
        long worst = 0;
        for (int i = 0; i < p.loops().size(); i++) {
            long overdue = now - p.dueAt().get(i);
            if (overdue > 0) {
                overdue -= paused - p.pausedAt().get(i);
            }
            worst = Math.max(worst, Math.max(p.lastOwnLag().get(i), overdue));
        }
        return worst;
    }

    /** The worst current lag over all loops: a probe's lateness, or how overdue a pending probe is. */
    public long lagNanos() {
        Probes p = probes;
        if (p == null) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        long worst = 0;
        for (int i = 0; i < p.loops().size(); i++) {
            worst = Math.max(worst, Math.max(p.lastLag().get(i), now - p.dueAt().get(i)));
        }
        return worst;
    }

    /**
     * True while the loops run late, or ran late within {@code hold}, whatever the load (a GC
     * pause, the JIT on a busy core): a timeout now may well be ours.
     */
    public boolean stalled() {
        Probes p = probes;
        if (p == null) {
            return false;
        }
        long now = nanoClock.getAsLong();
        if (now - lateAt < holdNanos) {
            return true;
        }
        for (int i = 0; i < p.loops().size(); i++) {
            if (now - p.dueAt().get(i) >= thresholdNanos) {
                return true;
            }
        }
        return false;
    }
}
