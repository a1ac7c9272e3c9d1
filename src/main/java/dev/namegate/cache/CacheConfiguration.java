package dev.namegate.cache;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.benmanes.caffeine.cache.Ticker;

import io.micrometer.core.instrument.MeterRegistry;

import dev.namegate.memory.HeapBudget;
import dev.namegate.upstream.InternalUserClient;

/** The name cache, on the system clock, bounded to its share of the heap ({@link HeapBudget}). */
@Configuration(proxyBeanMethods = false)
class CacheConfiguration {

    @Bean
    NameCache nameCache(InternalUserClient internalUserClient, CacheProperties properties, MeterRegistry registry) {
        if (properties.enabled()) {
            HeapBudget.check("namegate.cache.max-weight", properties.maxWeight(), properties.maxWeight().toBytes(),
                    Runtime.getRuntime().maxMemory());
        }
        return new NameCache(internalUserClient, properties, registry, Ticker.systemTicker());
    }
}
