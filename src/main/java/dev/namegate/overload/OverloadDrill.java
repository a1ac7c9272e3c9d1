package dev.namegate.overload;

import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * An overload rehearsed by the warm-up before readiness. While it runs, a lookup carrying
 * {@link #HEADER} goes to a gate of its own that admits nobody ({@link AdmissionGate#shut}): it
 * waits its turn in that gate's line and is refused ({@link LoadShedFilter}), or, marked
 * {@link #ON_ARRIVAL_MARK}, is refused on arrival once that line has waited ({@link
 * EarlyRefusals}). Same code, same kinds of state and meters as a real overload, so what the JIT
 * compiles in the drill still holds in one: a service that had never refused compiled those
 * paths in its first overload, on a core the overload had already filled (C2 took 250-700 ms of
 * it; docs/benchmarks.md). Other requests are served as ever, and the mark means nothing outside
 * the drill. Its refusals are counted apart ({@code when="drill_on_arrival"} and {@code
 * "drill_after_waiting"}, {@code uri="WARMUP_DRILL"}), outside the availability objective.
 */
public final class OverloadDrill {

    /** Marks a request of the drill, with the way it is to be refused. */
    public static final String HEADER = "X-Namegate-Overload-Drill";
    /**
     * The mark of a request to be refused on arrival, once the drill's line has waited and unless
     * its connection had such a refusal within {@code refuse-again-after}, as in a real overload;
     * any other mark waits its turn. Both ways are needed: left to the connections' timing, one
     * took nearly all.
     */
    public static final String ON_ARRIVAL_MARK = "on-arrival";
    /** The mark of a request to wait its turn in the drill's line and be refused there. */
    public static final String AFTER_TURN_MARK = "after-turn";
    /** The {@code uri} tag of the drill's answers in {@code http.server.requests}. */
    static final String ROUTE = "WARMUP_DRILL";
    /** The {@code when} of the drill's refusals on arrival. */
    static final String ON_ARRIVAL = "drill_on_arrival";
    /** The {@code when} of the drill's refusals after their wait. */
    static final String AFTER_WAITING = "drill_after_waiting";

    private static final Logger LOG = LoggerFactory.getLogger(OverloadDrill.class);

    private final boolean enabled;
    private final MeterRegistry registry;
    private final AdmissionGate gate;
    private volatile boolean running;

    public OverloadDrill(OverloadProperties properties, MeterRegistry registry, LongSupplier nanoClock,
            LongSupplier pauseClock) {
        this.enabled = properties.enabled();
        this.registry = registry;
        this.gate = AdmissionGate.shut(properties, nanoClock, pauseClock);
    }

    /**
     * Starts the drill.
     *
     * @return whether it runs: not while the gate is off, since nothing would refuse its requests
     */
    public boolean start() {
        running = enabled;
        return enabled;
    }

    /** Ends the drill, logging what it refused. Those still in its line are refused at the next probe. */
    public void end() {
        running = false;
        LOG.info("overload drill done: {} refused on arrival, {} after their turn",
                (long) LoadShedFilter.shedCounter(registry, ON_ARRIVAL).count(),
                (long) LoadShedFilter.shedCounter(registry, AFTER_WAITING).count());
    }

    /** Whether a drill runs: one volatile read, before any header is looked at. */
    boolean running() {
        return running;
    }

    /** Whether {@code mark}, the value of {@link #HEADER}, asks for a refusal on arrival. */
    static boolean onArrival(String mark) {
        return ON_ARRIVAL_MARK.equals(mark);
    }

    /** The drill's gate, which admits nobody. */
    AdmissionGate gate() {
        return gate;
    }

    /**
     * What the event-loop probe tells: {@code serviceGate}, then the drill's gate, whose line is
     * empty outside a drill and whose waiters are refused once they have waited.
     */
    EventLoopProbe.Listener listenerAfter(AdmissionGate serviceGate) {
        return new EventLoopProbe.Listener() {
            @Override
            public void probed(long lagNanos) {
                serviceGate.probed(lagNanos);
                gate.probed(lagNanos);
            }

            @Override
            public void due(long dueNanos, long pausedNanos) {
                serviceGate.due(dueNanos, pausedNanos);
            }

            @Override
            public void stopped() {
                serviceGate.stopped();
                gate.stopped();
            }
        };
    }
}
