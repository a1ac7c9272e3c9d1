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
 * EarlyRefusals}); marked {@link #LET_IN_MARK}, it goes to a gate that lets one in at a time and
 * is let in, at once or after its turn, as most are in an overload. Same code, same kinds of
 * state and meters as a real overload, so what the JIT compiles in the drill still holds in one:
 * a service that had never refused compiled those paths in its first overload, on a core the
 * overload had already filled (C2 took 250-700 ms of it; docs/benchmarks.md). Other requests are
 * served as ever, and the mark means nothing outside the drill. Its refusals are counted apart
 * ({@code when="drill_on_arrival"} and {@code "drill_after_waiting"}, {@code uri="WARMUP_DRILL"}),
 * outside the availability objective, and so are the answers of those it lets in.
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
    /**
     * The mark of a request to be let in, at once or after its turn, by a gate with a limit of
     * one: a gate the drill only refuses at has C2 compile its admissions as traps, and a real
     * overload then had them compiled again at its onset (docs/benchmarks.md). Sent without a
     * key, it is answered 401 and reaches nothing behind the authentication.
     */
    public static final String LET_IN_MARK = "let-in";
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
    private final AdmissionGate letInGate;
    private volatile boolean running;

    public OverloadDrill(OverloadProperties properties, MeterRegistry registry, LongSupplier nanoClock,
            LongSupplier pauseClock) {
        this.enabled = properties.enabled();
        this.registry = registry;
        this.gate = AdmissionGate.shut(properties, nanoClock, pauseClock);
        this.letInGate = AdmissionGate.fixed(properties, nanoClock, pauseClock, 1);
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

    /** Whether {@code mark}, the value of {@link #HEADER}, asks to be let in. */
    static boolean letIn(String mark) {
        return LET_IN_MARK.equals(mark);
    }

    /** The drill's gate, which admits nobody. */
    AdmissionGate gate() {
        return gate;
    }

    /** The drill's gate that lets one in at a time. */
    AdmissionGate letInGate() {
        return letInGate;
    }

    /**
     * What the event-loop probe tells: {@code serviceGate}, then the drill's gates, whose lines
     * are empty outside a drill and whose waiters are refused once they have waited.
     */
    EventLoopProbe.Listener listenerAfter(AdmissionGate serviceGate) {
        return new EventLoopProbe.Listener() {
            @Override
            public void probed(long lagNanos) {
                serviceGate.probed(lagNanos);
                gate.probed(lagNanos);
                letInGate.probed(lagNanos);
            }

            @Override
            public void due(long dueNanos, long pausedNanos) {
                serviceGate.due(dueNanos, pausedNanos);
            }

            @Override
            public void stopped() {
                serviceGate.stopped();
                gate.stopped();
                letInGate.stopped();
            }
        };
    }
}
