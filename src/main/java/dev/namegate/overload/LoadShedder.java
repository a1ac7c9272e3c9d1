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
 * neighbour's (CPU throttling, a noisy host), and refusing would not help. And only while more are
 * in progress than the process finishes within {@code shedQueueTime}: fewer than that all finish
 * in time however late the loops run (a closed loop of a few hundred connections), and refusing
 * them would cut goodput, since each refusal comes back at once as a new request.
 */
public final class LoadShedder implements EventLoopProbe.Listener {

    /** How often the probes measure the requests finished per second. */
    private static final long THROUGHPUT_INTERVAL_NANOS = 100_000_000L;
    private static final double THROUGHPUT_SMOOTHING_NANOS = 1e9;

    private final RequestsInFlight inFlight;
    private final double shedStep;
    private final double shedRelief;
    private final double maxShed;
    private final int minInFlight;
    private final long shedLagNanos;
    private final LongSupplier nanoClock;
    private final ShedEpisodes episodes;
    private final double queueSeconds;
    private volatile double share;
    /** Requests finished per second, smoothed over about {@link #THROUGHPUT_SMOOTHING_NANOS}. */
    private volatile double finishedPerSecond;
    private long measuredAt;
    private long finishedWhenMeasured;

    public LoadShedder(OverloadProperties properties, RequestsInFlight inFlight, LongSupplier nanoClock) {
        this.inFlight = inFlight;
        this.shedStep = properties.shedStep();
        this.shedRelief = properties.shedRelief();
        this.maxShed = properties.maxShed();
        this.minInFlight = properties.shedMinInFlight();
        this.shedLagNanos = properties.shedLagThreshold().toNanos();
        this.nanoClock = nanoClock;
        this.episodes = new ShedEpisodes(minInFlight);
        this.queueSeconds = properties.shedQueueTime().toNanos() / 1e9;
        this.measuredAt = nanoClock.getAsLong();
    }

    @Override
    public synchronized void probed(long lagNanos) {
        long now = nanoClock.getAsLong();
        // the throughput first: whoever sees the new share sees the throughput it is gated by
        measureThroughput(now);
        double after = lagNanos >= shedLagNanos ? Math.min(maxShed, share + shedStep) : Math.max(0, share - shedRelief);
        share = after;
        episodes.shareChanged(after, now, lagNanos);
    }

    private void measureThroughput(long now) {
        long elapsed = now - measuredAt;
        if (elapsed < THROUGHPUT_INTERVAL_NANOS) {
            return;
        }
        long finished = inFlight.finished();
        double perSecond = (finished - finishedWhenMeasured) * 1e9 / elapsed;
        finishedPerSecond += (perSecond - finishedPerSecond) * Math.min(1, elapsed / THROUGHPUT_SMOOTHING_NANOS);
        measuredAt = now;
        finishedWhenMeasured = finished;
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

    /** Requests finished per second lately. */
    public double finishedPerSecond() {
        return finishedPerSecond;
    }

    /**
     * Whether to refuse this request: true for about {@link #share()} of them while more are in
     * progress than both {@code shedMinInFlight} and what finishes within {@code shedQueueTime}.
     */
    public boolean shouldShed() {
        double s = share;
        if (s <= 0) {
            return false;
        }
        int inProgress = inFlight.count();
        return inProgress >= minInFlight && inProgress >= finishedPerSecond * queueSeconds
                && ThreadLocalRandom.current().nextDouble() < s;
    }
}
