package dev.namegate.cache;

import java.util.concurrent.TimeUnit;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.scheduler.Scheduler;

import dev.namegate.upstream.UserLookups;

/** The name cache in front of the internal service, on the service's one clock. */
@Configuration(proxyBeanMethods = false)
class CacheConfiguration {

    @Bean
    NameCache nameCache(UserLookups internalUserService, CacheProperties properties, MeterRegistry registry,
            Scheduler namegateTime) {
        return new NameCache(internalUserService, properties, registry, () -> namegateTime.now(TimeUnit.NANOSECONDS));
    }
}
