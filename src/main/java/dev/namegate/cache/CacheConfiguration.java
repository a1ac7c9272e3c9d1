package dev.namegate.cache;

import java.util.concurrent.TimeUnit;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.scheduler.Scheduler;

import dev.namegate.memory.HeapBudget;
import dev.namegate.upstream.UserLookups;

/**
 * The name cache in front of the internal service, on the service's one clock, bounded to its
 * share of the heap ({@link HeapBudget}).
 */
@Configuration(proxyBeanMethods = false)
class CacheConfiguration {

    @Bean
    NameCache nameCache(UserLookups internalUserService, CacheProperties properties, MeterRegistry registry,
            Scheduler namegateTime) {
        if (properties.enabled()) {
            HeapBudget.check("namegate.cache.max-weight", properties.maxWeight(), properties.maxWeight().toBytes(),
                    Runtime.getRuntime().maxMemory());
            if (properties.store() == CacheProperties.Store.REPEATED_IDS) {
                HeapBudget.check("namegate.cache.repeated-ids-remembered", properties.repeatedIdsRemembered(),
                        RepeatedIds.bytes(properties.repeatedIdsRemembered()), Runtime.getRuntime().maxMemory());
            }
        }
        return new NameCache(internalUserService, properties, registry, () -> namegateTime.now(TimeUnit.NANOSECONDS));
    }
}
