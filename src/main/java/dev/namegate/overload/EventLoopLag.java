package dev.namegate.overload;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import io.netty.util.concurrent.EventExecutor;

/**
 * Measures how late the event loops run a task scheduled on them: the one sign that this process,
 * not the internal service, is why answers are late. Every loop gets a probe every
 * {@code probeInterval}; a probe that runs {@code lagThreshold} late (or is that overdue) means the
 * loops are saturated, and for {@code hold} after it a missed timeout is put down to us.
 *
 * <p>While the loops lag, a growing share of new requests is refused at the door (the cheapest
 * thing an overloaded process can do with them); punctual probes shrink that share again. Each
 * probe is one scheduled task per loop, so an idle process pays a few hundred tasks a second.
 * Both the refusals and the excusing of timeouts apply only while enough requests are in
 * progress ({@link #overloaded()}).
 */
public final class EventLoopLag implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger("dev.namegate.overload");
    private static final long EPISODE_END_NANOS = 1_000_000_000L;

    private final Supplier<List<EventExecutor>> loopSource;
    private final long intervalNanos;
    private final long thresholdNanos;
    private final long holdNanos;
    private final double shedStep;
    private final double shedRelief;
    private final double maxShed;
    private final LongSupplier nanoClock;
    private final int minInFlight;
    private final boolean enabled;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long laggedAt;
    private volatile double shedShare;
    /** The loops being probed; {@code null} while stopped. */
    private volatile Probes probes;
    /** Whether a shedding episode has been logged as started and not yet as ended (guarded by this). */
    private boolean episode;
    private long calmSince = Long.MAX_VALUE;

    /**
     * @param loopSource the loops to probe, asked again at every {@link #start()}: the loops of a
     *        server that is stopped and started again are new ones
     */
    public EventLoopLag(Supplier<List<EventExecutor>> loopSource, OverloadProperties properties, LongSupplier nanoClock) {
        this.loopSource = loopSource;
        this.intervalNanos = properties.probeInterval().toNanos();
        this.thresholdNanos = properties.lagThreshold().toNanos();
        this.holdNanos = properties.hold().toNanos();
        this.shedStep = properties.shedStep();
        this.shedRelief = properties.shedRelief();
        this.maxShed = properties.maxShed();
        this.minInFlight = properties.shedMinInFlight();
        this.enabled = properties.enabled();
        this.nanoClock = nanoClock;
        this.laggedAt = nanoClock.getAsLong() - holdNanos - 1;
    }

    /** The loops to probe, and for each when its pending probe is due and how late its last one ran. */
    private record Probes(List<EventExecutor> loops, AtomicLongArray dueAt, AtomicLongArray lastLag) {
        static Probes of(List<EventExecutor> loops) {
            if (loops.isEmpty()) {
                throw new IllegalStateException("no event loops to probe");
            }
            return new Probes(List.copyOf(loops), new AtomicLongArray(loops.size()), new AtomicLongArray(loops.size()));
        }
    }

    /** False with {@code namegate.overload.enabled=false}: nothing is probed, nothing lags, nothing is refused. */
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
        laggedAt = nanoClock.getAsLong() - holdNanos - 1;
        probes = started;
        for (int i = 0; i < started.loops().size(); i++) {
            schedule(started, i);
        }
    }

    /** Stops probing; until started again nothing lags and nothing is refused. */
    @Override
    public synchronized void stop() {
        probes = null;
        shedShare = 0;
        episode = false;
        calmSince = Long.MAX_VALUE;
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

    private void schedule(Probes p, int loop) {
        long due = nanoClock.getAsLong() + intervalNanos;
        p.dueAt().set(loop, due);
        try {
            p.loops().get(loop).schedule(() -> probe(p, loop, due), intervalNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shutDown) {
            // a loop that is gone runs nothing late: it must not look overdue forever
            p.dueAt().set(loop, Long.MAX_VALUE);
        }
    }

    private void probe(Probes p, int loop, long due) {
        if (probes != p) {
            return; // stopped, or started again on other loops
        }
        long now = nanoClock.getAsLong();
        long lag = Math.max(0, now - due);
        p.lastLag().set(loop, lag);
        boolean late = lag >= thresholdNanos;
        if (late) {
            laggedAt = now;
        }
        // the next probe first, so whoever sees this probe's effect sees it scheduled
        schedule(p, loop);
        adjustShedding(p, late);
    }

    /**
     * Additive both ways: a late probe refuses a little more, a punctual one a little less. One log
     * line when an episode starts and one when the share has stayed at zero for a second, however
     * often it flickers in between.
     */
    private synchronized void adjustShedding(Probes p, boolean late) {
        if (probes != p) {
            return;
        }
        double after = late ? Math.min(maxShed, shedShare + shedStep) : Math.max(0, shedShare - shedRelief);
        shedShare = after;
        long now = nanoClock.getAsLong();
        if (after > 0) {
            calmSince = Long.MAX_VALUE;
            if (!episode) {
                episode = true;
                // the refusals need load of our own too: at 80 requests/s a GC pause starts an
                // episode in which nothing is refused, and the line must not claim otherwise
                LOG.warn("overload: event loops {} ms late, refusing a share of new requests while at least {} are in progress",
                        lagNanos() / 1_000_000, minInFlight);
            }
        } else if (episode) {
            calmSince = Math.min(calmSince, now);
            if (now - calmSince >= EPISODE_END_NANOS) {
                episode = false;
                LOG.info("overload: event loops punctual for a second, no longer refusing requests");
            }
        }
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

    /** True while the loops lag, or lagged within {@code hold}: a timeout now may well be ours. */
    public boolean lagging() {
        Probes p = probes;
        if (p == null) {
            return false;
        }
        long now = nanoClock.getAsLong();
        if (now - laggedAt < holdNanos) {
            return true;
        }
        for (int i = 0; i < p.loops().size(); i++) {
            if (now - p.dueAt().get(i) >= thresholdNanos) {
                return true;
            }
        }
        return false;
    }

    /** A public request starts; pair with {@link #leave()}. */
    public void enter() {
        inFlight.incrementAndGet();
    }

    public void leave() {
        inFlight.decrementAndGet();
    }

    /**
     * True while the loops lag and at least {@code shedMinInFlight} requests are in progress: the
     * lag is our own load's doing. A lag with little load is a neighbour's (CPU throttling, a noisy
     * host), and refusing or not retrying would not help.
     */
    public boolean overloaded() {
        return inFlight.get() >= minInFlight && lagging();
    }

    /** The share of new requests to refuse now, 0 when the loops keep time. */
    public double shedShare() {
        return shedShare;
    }

    /** Whether to refuse this request: true for about {@link #shedShare()} of them while {@link #overloaded() busy}. */
    public boolean shouldShed() {
        double share = shedShare;
        return share > 0 && inFlight.get() >= minInFlight && ThreadLocalRandom.current().nextDouble() < share;
    }
}
