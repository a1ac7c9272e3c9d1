package dev.namegate.overload;

import java.util.function.BooleanSupplier;

/**
 * What this process's own load says about a missed timeout, for the upstream client: the loops
 * ran late just now ({@link #stalled()}), whether that is our own load's doing
 * ({@link #overloaded()}), and whether that load is more than the core finishes in time
 * ({@link #shedding()}).
 */
public final class OwnLoadSignals {

    private final EventLoopProbe probe;
    private final RequestsInFlight inFlight;
    private final BooleanSupplier gateLimiting;
    private final int minInFlight;

    /** @param gateLimiting whether the admission gate holds a limit ({@link AdmissionGate#limiting()}) */
    public OwnLoadSignals(EventLoopProbe probe, RequestsInFlight inFlight, BooleanSupplier gateLimiting,
            OverloadProperties properties) {
        this.probe = probe;
        this.inFlight = inFlight;
        this.gateLimiting = gateLimiting;
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

    /**
     * True while {@link #overloaded()} and the admission gate holds a limit: the core has more
     * than it finishes in time, so a retry of a timeout would only add to it. A busy core the gate
     * lets everyone into (a saturated closed loop) still answers in time.
     */
    public boolean shedding() {
        return gateLimiting.getAsBoolean() && overloaded();
    }
}
