package dev.namegate.overload;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.http.client.ReactorResourceFactory;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

/**
 * Probes the public server's event loops and limits the requests admitted at once while they lag.
 * {@code namegate.overload.enabled=false} turns it off at run time: the beans stay (Spring AOT
 * fixes the set of beans at build time) but probe nothing and refuse nothing.
 */
@Configuration(proxyBeanMethods = false)
class OverloadConfiguration {

    /**
     * One clock for the gates, the drill and the probe. A {@code System::nanoTime} at each call
     * site is a class of its own; the gates share their code, so C2 compiled the drill's clock
     * into it, and the first real overload failed that class check and had it compiled again.
     */
    private static final LongSupplier NANO_TIME = System::nanoTime;

    /**
     * The server runs on the loops of Spring's {@link ReactorResourceFactory}: Reactor Netty's
     * global loops in production (shared with the upstream client), loops of the context's own
     * under Spring's test support. They are looked up at each start (the probe is a lifecycle
     * bean), since a stopped and restarted factory has new ones.
     */
    @Bean
    RequestsInFlight requestsInFlight() {
        return new RequestsInFlight();
    }

    @Bean
    GcPauses gcPauses() {
        return GcPauses.ofThisJvm();
    }

    @Bean
    AdmissionGate admissionGate(OverloadProperties properties, RequestsInFlight requestsInFlight, GcPauses gcPauses) {
        return new AdmissionGate(properties, requestsInFlight, NANO_TIME, gcPauses);
    }

    @Bean
    OverloadDrill overloadDrill(OverloadProperties properties, MeterRegistry registry, GcPauses gcPauses) {
        return new OverloadDrill(properties, registry, NANO_TIME, gcPauses);
    }

    @Bean
    EventLoopProbe eventLoopProbe(OverloadProperties properties, AdmissionGate admissionGate, OverloadDrill overloadDrill,
            GcPauses gcPauses, MeterRegistry registry, ObjectProvider<ReactorResourceFactory> resourceFactory) {
        EventLoopProbe probe = new EventLoopProbe(() -> serverLoops(resourceFactory.getIfAvailable()), properties,
                NANO_TIME, gcPauses, overloadDrill.listenerAfter(admissionGate));
        if (properties.enabled()) {
            Gauge.builder("namegate.overload.event.loop.lag", probe, p -> p.lagNanos() / 1e9)
                    .description("How late the latest event-loop probe ran").baseUnit("seconds").register(registry);
            Gauge.builder("namegate.overload.admission.limit", admissionGate,
                    gate -> gate.limit() == AdmissionGate.UNLIMITED ? Double.NaN : gate.limit())
                    .description("Public requests admitted at once while the event loops lag (NaN: no limit)")
                    .register(registry);
            Gauge.builder("namegate.overload.admission.waiting", admissionGate, AdmissionGate::waiting)
                    .description("Public requests waiting for their turn").register(registry);
        }
        return probe;
    }

    @Bean
    OwnLoadSignals ownLoadSignals(EventLoopProbe eventLoopProbe, RequestsInFlight requestsInFlight,
            AdmissionGate admissionGate, OverloadProperties properties) {
        return new OwnLoadSignals(eventLoopProbe, requestsInFlight, admissionGate::limiting, properties);
    }

    private static List<EventExecutor> serverLoops(ReactorResourceFactory resourceFactory) {
        LoopResources loops = resourceFactory == null ? HttpResources.get() : resourceFactory.getLoopResources();
        List<EventExecutor> executors = new ArrayList<>();
        loops.onServer(LoopResources.DEFAULT_NATIVE).forEach(executors::add);
        return executors;
    }

    /**
     * {@link EarlyRefusal} on each connection of the public server, just before Reactor Netty's
     * HTTP handling and after the read deadlines (which must see every request). A separate
     * management server is built in a child context from its own customizers, so probes and
     * metrics are never refused here. The same handler keeps a closed loop's request waiting while
     * its loop's {@link InProgressCap} is reached.
     */
    @Bean
    NettyServerCustomizer earlyRefusals(AdmissionGate admissionGate, OverloadDrill overloadDrill,
            OverloadProperties properties, MeterRegistry registry) {
        EarlyRefusals refusals = new EarlyRefusals(admissionGate, overloadDrill, properties, registry, NANO_TIME);
        InProgressCaps caps = InProgressCaps.of(properties, admissionGate, registry, NANO_TIME);
        return server -> server.doOnChannelInit((observer, channel, remote) -> {
            if (properties.enabled() && channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
                channel.pipeline().addBefore(NettyPipeline.HttpTrafficHandler, EarlyRefusal.NAME,
                        new EarlyRefusal(refusals, caps));
            }
        });
    }

    @Bean
    LoadShedFilter loadShedFilter(AdmissionGate admissionGate, OverloadDrill overloadDrill,
            OverloadProperties properties, MeterRegistry registry) {
        return new LoadShedFilter(admissionGate, overloadDrill, properties, registry);
    }
}
