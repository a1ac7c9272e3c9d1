package dev.namegate.overload;

/**
 * What this process's own load says about a missed timeout, for the upstream client: the loops
 * ran late just now ({@link #stalled()}), and whether that is our own load's doing
 * ({@link #overloaded()}).
 */
public final class OwnLoadSignals {

    private final EventLoopProbe probe;
    private final RequestsInFlight inFlight;
    private final int minInFlight;

    public OwnLoadSignals(EventLoopProbe probe, RequestsInFlight inFlight, OverloadProperties properties) {
        this.probe = probe;
        this.inFlight = inFlight;
        this.minInFlight = properties.shedMinInFlight();
    }

    /** True when the event loops ran late just now, whatever the load. */
    public boolean stalled() {
        return probe.stalled();
    }

    /**
     * True while the loops run late and at least {@code shedMinInFlight} requests are in progress:
     * the lag is our own load's doing, and a timeout now is probably ours.
     */
    public boolean overloaded() {
        return inFlight.count() >= minInFlight && probe.stalled();
    }
}
