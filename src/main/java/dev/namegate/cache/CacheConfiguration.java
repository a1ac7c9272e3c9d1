package dev.namegate.cache;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.benmanes.caffeine.cache.Ticker;

import io.micrometer.core.instrument.MeterRegistry;

import dev.namegate.upstream.InternalUserClient;

/** The name cache, on the system clock. */
@Configuration(proxyBeanMethods = false)
class CacheConfiguration {

    @Bean
    NameCache nameCache(InternalUserClient internalUserClient, CacheProperties properties, MeterRegistry registry) {
        return new NameCache(internalUserClient, properties, registry, Ticker.systemTicker());
    }
}
