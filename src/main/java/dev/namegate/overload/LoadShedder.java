package dev.namegate.overload;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * While the event loops run so late under our own load that requests risk their deadline
 * ({@code shedLagThreshold}), refuses a growing share of new requests at the door, the cheapest
 * thing an overloaded process can do with them; probes below it shrink the share again. A lag
 * below that threshold is a busy core still finishing every request in time: refusing then would
 * only turn answers into refusals. Additive both ways: a probe that late refuses {@code shedStep}
 * more, any other {@code shedRelief} less, up to {@code maxShed}. Refusals happen only while at least
 * {@code shedMinInFlight} requests are in progress: a lag with little load of our own is a
 * neighbour's (CPU throttling, a noisy host), and refusing would not help.
 */
public final class LoadShedder implements EventLoopProbe.Listener {

    private final RequestsInFlight inFlight;
    private final double shedStep;
    private final double shedRelief;
    private final double maxShed;
    private final int minInFlight;
    private final long shedLagNanos;
    private final LongSupplier nanoClock;
    private final ShedEpisodes episodes;
    private volatile double share;

    public LoadShedder(OverloadProperties properties, RequestsInFlight inFlight, LongSupplier nanoClock) {
        this.inFlight = inFlight;
        this.shedStep = properties.shedStep();
        this.shedRelief = properties.shedRelief();
        this.maxShed = properties.maxShed();
        this.minInFlight = properties.shedMinInFlight();
        this.shedLagNanos = properties.shedLagThreshold().toNanos();
        this.nanoClock = nanoClock;
        this.episodes = new ShedEpisodes(minInFlight);
    }

    @Override
    public synchronized void probed(long lagNanos) {
        double after = lagNanos >= shedLagNanos ? Math.min(maxShed, share + shedStep) : Math.max(0, share - shedRelief);
        share = after;
        episodes.shareChanged(after, nanoClock.getAsLong(), lagNanos);
    }

    /** The probe stopped: nothing is refused until it runs again. */
    @Override
    public synchronized void stopped() {
        share = 0;
        episodes.reset();
    }

    /** The share of new requests to refuse now, 0 when the loops keep time. */
    public double share() {
        return share;
    }

    /** Whether to refuse this request: true for about {@link #share()} of them while enough are in progress. */
    public boolean shouldShed() {
        double s = share;
        return s > 0 && inFlight.count() >= minInFlight && ThreadLocalRandom.current().nextDouble() < s;
    }
}
