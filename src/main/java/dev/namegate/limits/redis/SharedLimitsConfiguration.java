package dev.namegate.limits.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.scheduler.Scheduler;

import dev.namegate.audit.AuditLog;
import dev.namegate.limits.ClientLimitStore;
import dev.namegate.limits.InMemoryClientLimitStore;
import dev.namegate.limits.LimitsProperties;

/**
 * The store the limit filters use, chosen when the context starts (not when Spring AOT builds
 * it, so one jar serves both): this replica's memory, or Redis with the memory store as its
 * fallback. Warns of each production setting that is missing for Redis.
 */
@Configuration(proxyBeanMethods = false)
public class SharedLimitsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SharedLimitsConfiguration.class);

    @Bean
    @Primary
    ClientLimitStore clientLimitStore(LimitsProperties limits, RedisLimitsProperties redis,
            InMemoryClientLimitStore memory, AuditLog audit, Scheduler namegateTime, MeterRegistry registry) {
        if (!limits.enabled() || limits.store() == LimitsProperties.Store.MEMORY) {
            return memory;
        }
        redis.productionGaps().forEach(gap -> log.warn("shared limits: {}", gap));
        IdKeying ids = IdKeying.from(redis.idKeyFile());
        RedisLink link = new RedisLink(redis);
        log.info("limits are shared through Redis at {} (tls={}, timeout {} ms, then this replica's memory)",
                link.address(), redis.tls(), redis.timeout().toMillis());
        RedisClientLimitStore shared = new RedisClientLimitStore(link, limits, redis.keyPrefix(), ids, audit);
        return new SharedLimitStore(shared, memory, link, redis, namegateTime, registry);
    }
}
