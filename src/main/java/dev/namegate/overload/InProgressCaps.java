package dev.namegate.overload;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;

/** The {@link InProgressCap} of each event loop of the public server, made as its first connection comes. */
final class InProgressCaps {

    /** No cap: every request goes on as it is read. */
    static final InProgressCaps NONE = new InProgressCaps(loop -> null);

    /** Makes a loop's cap, {@code null} for none. */
    private final Function<EventLoop, InProgressCap> make;
    private final Map<EventLoop, InProgressCap> byLoop = new ConcurrentHashMap<>();

    InProgressCaps(Function<EventLoop, InProgressCap> make) {
        this.make = make;
    }

    /**
     * The caps of {@code properties}, steered by each loop thread's CPU time and lifted while
     * {@code gate} limits, and their gauges.
     */
    static InProgressCaps of(OverloadProperties properties, AdmissionGate gate, MeterRegistry registry,
            LongSupplier nanoClock) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!properties.enabled() || !properties.cap().enabled() || !threads.isCurrentThreadCpuTimeSupported()) {
            return NONE;
        }
        InProgressCap.Settings settings = properties.cap().settings();
        InProgressCaps caps = new InProgressCaps(loop -> {
            InProgressCap cap = new InProgressCap(settings, threads::getCurrentThreadCpuTime, nanoClock, gate::limiting);
            cap.steerOn(loop);
            return cap;
        });
        Gauge.builder("namegate.overload.cap.waiting", caps, InProgressCaps::waiting)
                .description("Closed loops' requests waiting, read, for the cap on requests in progress").register(registry);
        Gauge.builder("namegate.overload.cap.limit", caps, InProgressCaps::limit)
                .description("The cap on requests in progress, over the event loops (NaN: none)").register(registry);
        return caps;
    }

    /** {@code loop}'s cap, made (and steered) at the first call; {@code null} with no cap. */
    InProgressCap on(EventLoop loop) {
        InProgressCap cap = byLoop.get(loop);
        return cap != null ? cap : byLoop.computeIfAbsent(loop, make);
    }

    /** Read off the loops' threads for a gauge: a recent value, not an exact one. */
    private double waiting() {
        return byLoop.values().stream().mapToInt(InProgressCap::waiting).sum();
    }

    private double limit() {
        long sum = 0;
        for (InProgressCap cap : byLoop.values()) {
            if (cap.limit() == InProgressCap.NONE) {
                return Double.NaN;
            }
            sum += cap.limit();
        }
        return byLoop.isEmpty() ? Double.NaN : sum;
    }
}
