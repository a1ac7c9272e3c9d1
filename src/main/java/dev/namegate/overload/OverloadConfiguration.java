package dev.namegate.overload;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

/**
 * Probes the event loops the public server and the upstream client share (Reactor Netty's global
 * loops) and refuses load while they lag. {@code namegate.overload.enabled=false} turns it off.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "namegate.overload.enabled", havingValue = "true", matchIfMissing = true)
class OverloadConfiguration {

    @Bean(initMethod = "start", destroyMethod = "stop")
    EventLoopLag eventLoopLag(OverloadProperties properties, MeterRegistry registry) {
        List<EventExecutor> loops = new ArrayList<>();
        HttpResources.get().onServer(LoopResources.DEFAULT_NATIVE).forEach(loops::add);
        EventLoopLag lag = new EventLoopLag(loops, properties, System::nanoTime);
        Gauge.builder("namegate.overload.event.loop.lag", lag, l -> l.lagNanos() / 1e9)
                .description("How late the latest event-loop probe ran").baseUnit("seconds").register(registry);
        Gauge.builder("namegate.overload.shed.share", lag, EventLoopLag::shedShare)
                .description("Share of public requests refused while the event loops lag").register(registry);
        return lag;
    }

    @Bean
    LoadShedFilter loadShedFilter(EventLoopLag lag, OverloadProperties properties, MeterRegistry registry) {
        return new LoadShedFilter(lag, properties, registry);
    }
}
