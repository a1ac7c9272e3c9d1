package dev.namegate.limits;

import java.util.concurrent.TimeUnit;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.scheduler.Scheduler;

import dev.namegate.audit.AuditLog;
import dev.namegate.memory.HeapBudget;

/**
 * The limit filters over a {@link ClientLimitStore} ({@code limits.redis} chooses which), the
 * per-replica {@link InMemoryClientLimitStore}, whose quota memory must fit its share of the heap
 * ({@link HeapBudget}), and the check that warns of a proxy nobody listed as trusted.
 */
@Configuration(proxyBeanMethods = false)
public class LimitsConfiguration {

    /**
     * This replica's limits: the store itself, or the fallback of the shared one ({@code limits.redis}).
     * On the service's one clock ({@code namegateTime}), so a test on virtual time moves the buckets and windows too.
     */
    @Bean
    InMemoryClientLimitStore inMemoryClientLimitStore(LimitsProperties properties, AuditLog audit,
            MeterRegistry registry, Scheduler namegateTime) {
        if (properties.enabled()) {
            long ids = properties.quota().maxTrackedIds();
            HeapBudget.check("namegate.limits.quota.max-tracked-ids", ids,
                    ids > Long.MAX_VALUE / DistinctIdWindow.MAX_BYTES_PER_ID ? Long.MAX_VALUE
                            : ids * DistinctIdWindow.MAX_BYTES_PER_ID, Runtime.getRuntime().maxMemory());
        }
        InMemoryClientLimitStore store = new InMemoryClientLimitStore(properties, audit,
                () -> namegateTime.now(TimeUnit.NANOSECONDS));
        Gauge.builder("namegate.limits.quota.tracked.ids", store, InMemoryClientLimitStore::trackedIds)
                .description("Distinct ids counted over all clients, against namegate.limits.quota.max-tracked-ids")
                .register(registry);
        FunctionCounter.builder("namegate.limits.quota.replica.full", store, InMemoryClientLimitStore::replicaFullRefusals)
                .description("New ids answered 503 overloaded because namegate.limits.quota.max-tracked-ids was reached")
                .register(registry);
        return store;
    }

    @Bean
    SourceAddresses sourceAddresses(LimitsProperties properties) {
        return SourceAddresses.of(properties);
    }

    @Bean
    LimitRefusals limitRefusals(MeterRegistry registry) {
        return new LimitRefusals(registry);
    }

    @Bean
    AddressGuard addressGuard(ClientLimitStore store, SourceAddresses sources, AuditLog audit, LimitRefusals refusals) {
        return new AddressGuard(store, sources, audit, refusals);
    }

    @Bean
    UntrustedForwardedFor untrustedForwardedFor(SourceAddresses sources, MeterRegistry registry) {
        return new UntrustedForwardedFor(sources, registry);
    }

    @Bean
    ClientLimitsFilter clientLimitsFilter(ClientLimitStore store, LimitRefusals refusals) {
        return new ClientLimitsFilter(store, refusals);
    }
}
