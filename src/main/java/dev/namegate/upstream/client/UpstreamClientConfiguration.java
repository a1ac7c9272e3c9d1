package dev.namegate.upstream.client;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import reactor.core.scheduler.Scheduler;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.ConnectionProvider.ConnectionMetadata;
import reactor.scheduler.clock.SchedulerClock;

import dev.namegate.overload.OwnLoadSignals;
import dev.namegate.upstream.UpstreamProperties;
import dev.namegate.upstream.breaker.AttemptBreaker;
import dev.namegate.upstream.hedging.AdaptiveHedgeDelay;
import dev.namegate.upstream.hedging.HedgeDelay;
import dev.namegate.upstream.instances.UpstreamInstances;
import dev.namegate.upstream.pacing.AdaptiveRateLimiter;
import dev.namegate.upstream.pacing.DeadlineOrderedPermits;
import dev.namegate.upstream.pacing.Pacing;
import dev.namegate.upstream.retry.RetryBudget;
import dev.namegate.upstream.retry.RetryLog;
import dev.namegate.upstream.retry.RetryPolicy;
import dev.namegate.upstream.retry.WindowedRetryBudget;
import dev.namegate.warmup.WarmupParticipant;

/**
 * Wires the internal client: Reactor Netty with per-attempt limits, the retry policy, and the
 * guards of the internal service (budget, breaker, adaptive rate, hedging, outlier ejection),
 * each with its metrics and one log line per change of state.
 */
@Configuration(proxyBeanMethods = false)
public class UpstreamClientConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger("dev.namegate.upstream.guards");

    UpstreamClientConfiguration() {
        DroppedErrors.install();
    }

    @Bean(destroyMethod = "dispose")
    static ConnectionProvider upstreamConnections(UpstreamProperties properties) {
        UpstreamProperties.Pool pool = properties.pool();
        ConnectionProvider.Builder builder = ConnectionProvider.builder("internal-user-service")
                .maxConnections(pool.maxConnections())
                .pendingAcquireTimeout(pool.pendingAcquireTimeout())
                .pendingAcquireMaxCount(pool.pendingAcquireMaxCount())
                // the predicate below applies it; given here too, the pool reports it
                .maxIdleTime(pool.maxIdleTime())
                .evictionPredicate(closedOrIdleFor(pool.maxIdleTime()))
                .evictInBackground(pool.evictionInterval());
        return (pool.leasing() == UpstreamProperties.Leasing.LIFO ? builder.lifo() : builder.fifo()).build();
    }

    /**
     * Reactor Netty's own eviction rule (closed, not kept alive, or idle for {@code maxIdleTime}),
     * as a class of its own. Reactor Netty joins its parts with {@code BiPredicate.or}, whose one
     * lambda class Spring Boot's property binding also runs through: C2 then compiles Spring
     * Boot's property-name matching into the pool's every check, and recompiling it once the pool
     * first evicts took 1.5 s of the core (-XX:+LogCompilation, after an overload).
     */
    static BiPredicate<Connection, ConnectionMetadata> closedOrIdleFor(Duration maxIdleTime) {
        long maxIdleMillis = maxIdleTime.toMillis();
        return (connection, metadata) -> !connection.channel().isActive() || !connection.isPersistent()
                || metadata.idleTime() >= maxIdleMillis;
    }

    @Bean
    static HttpClient upstreamHttpClient(ConnectionProvider upstreamConnections, UpstreamProperties properties) {
        return HttpClient.create(upstreamConnections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, (int) properties.connectTimeout().toMillis()))
                // in place of responseTimeout(...): each attempt's own, read first when due, on a
                // handler each connection keeps
                .doOnChannelInit((observer, channel, address) -> ReadFirstResponseTimeout.install(channel))
                .doAfterRequest((request, connection) -> ReadFirstResponseTimeout.arm(connection, properties.responseTimeout()))
                // every attempt the internal service sees must be one the policy counted
                .disableRetry(true);
    }

    @Bean
    InternalUserClient internalUserClient(HttpClient upstreamHttpClient, UpstreamProperties properties,
            MeterRegistry registry, OwnLoadSignals ownLoadSignals, Scheduler namegateTime) {
        // switched off (namegate.overload.enabled=false), the probe never starts and never runs late
        OwnLoad ownLoad = new OwnLoad() {
            @Override
            public boolean overloaded() {
                return ownLoadSignals.overloaded();
            }

            @Override
            public boolean stalled() {
                return ownLoadSignals.stalled();
            }

            @Override
            public boolean shedding() {
                return ownLoadSignals.shedding();
            }
        };
        return internalUserClient(upstreamHttpClient, properties, registry, namegateTime, ownLoad);
    }

    /** The warm-up keeps the breaker and outlier ejection out of the way while the JVM is cold. */
    @Bean
    WarmupParticipant upstreamJudgingDuringWarmup(InternalUserClient internalUserClient) {
        return new WarmupParticipant() {
            @Override
            public Map<String, String> warmupStarting() {
                internalUserClient.suspendJudging();
                return Map.of();
            }

            @Override
            public void warmupEnded() {
                internalUserClient.resumeJudging();
            }
        };
    }

    /**
     * As the bean, on the given clock (tests pass a {@code VirtualTimeScheduler}, which then times
     * the deadline, the timeouts, the limiter, the budget, the breaker and ejection alike).
     */
    public static InternalUserClient internalUserClient(HttpClient upstreamHttpClient, UpstreamProperties properties,
            MeterRegistry registry, Scheduler time, OwnLoad ownLoad) {
        int maxBody = (int) Math.min(Integer.MAX_VALUE, properties.maxBodySize().toBytes());
        // not Spring Boot's builder: namegate_upstream_attempts_total counts every attempt,
        // classified, and a generic client observation would only repeat it at a cost per attempt
        WebClient webClient = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(upstreamHttpClient))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(maxBody))
                .build();

        UpstreamMetrics metrics = new UpstreamMetrics(registry);
        RetryBudget budget = budget(properties.budget(), time, registry, metrics);
        RetryPolicy policy = RetryPolicy.from(properties, time, new RetryLog(), budget);
        Guards guards = new Guards(budget, breaker(properties.breaker(), time, registry), pacing(properties.rateLimit(),
                time, registry), hedgeDelay(properties), properties.hedging().maxHedges(), ownLoad);
        return new InternalUserClient(webClient, properties, instances(properties, time, registry), policy, guards,
                metrics, SchedulerClock.of(time));
    }

    private static HedgeDelay hedgeDelay(UpstreamProperties properties) {
        UpstreamProperties.Hedging hedging = properties.hedging();
        if (!hedging.enabled() || hedging.maxHedges() == 0) {
            return HedgeDelay.OFF;
        }
        return hedging.adaptive()
                ? new AdaptiveHedgeDelay(hedging.delay(), properties.responseTimeout(), hedging.percentile())
                : HedgeDelay.fixed(hedging.delay());
    }

    private static RetryBudget budget(UpstreamProperties.Budget settings, Scheduler clock, MeterRegistry registry,
            UpstreamMetrics metrics) {
        if (!settings.enabled()) {
            return RetryBudget.UNLIMITED;
        }
        WindowedRetryBudget budget = new WindowedRetryBudget(settings.ratio(), settings.minPerSecond(), settings.window(),
                clock, new WindowedRetryBudget.Listener() {
                    @Override
                    public void refused() {
                        metrics.refused(UpstreamMetrics.Refusal.BUDGET);
                    }

                    @Override
                    public void spent() {
                        LOG.warn("retry budget spent: retries and hedges are refused until traffic earns more");
                    }

                    @Override
                    public void available() {
                        LOG.info("retry budget available again");
                    }
                });
        Gauge.builder("namegate.upstream.retry.budget.remaining", budget, WindowedRetryBudget::remaining)
                .description("Retries and hedges the budget still allows in its window").register(registry);
        return budget;
    }

    /** The breaker over attempts, timed by {@code clock} (its open state, through reactor-extra's SchedulerClock). */
    private static AttemptBreaker breaker(UpstreamProperties.Breaker settings, Scheduler clock, MeterRegistry registry) {
        if (!settings.enabled()) {
            return AttemptBreaker.NONE;
        }
        CircuitBreaker breaker = CircuitBreaker.of("internal-user-service", CircuitBreakerConfig.custom()
                .clock(SchedulerClock.of(clock))
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minimumAttempts())
                .failureRateThreshold(settings.failureRateThreshold())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(settings.probes())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build());
        // One series per state, 1 for the current one: alerts and dashboards select a state by
        // name, and an average over replicas or time reads as the share spent in it.
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
            Gauge.builder("namegate.upstream.breaker.state", breaker, b -> b.getState() == state ? 1 : 0)
                    .description("1 when the circuit breaker is in this state (disabled: suspended by the warm-up)")
                    .tag("state", state.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        return AttemptBreaker.of(breaker, ceilSeconds(settings.openFor()),
                (from, to) -> LOG.warn("circuit breaker {} -> {}", from, to));
    }

    private static Pacing pacing(UpstreamProperties.RateLimit settings, Scheduler clock, MeterRegistry registry) {
        if (!settings.enabled()) {
            return Pacing.UNLIMITED;
        }
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(settings, clock, new AdaptiveRateLimiter.RateListener() {
            @Override
            public void rateCut(double from, double to) {
                LOG.info("upstream rate limit cut after a 429: {} -> {} requests/s", Math.round(from), Math.round(to));
            }

            @Override
            public void rateReleased(double from) {
                LOG.info("upstream rate limit lifted after {} s without a 429: {} -> {} requests/s",
                        settings.releaseAfter().toMillis() / 1000.0, Math.round(from), Math.round(settings.ceiling()));
            }
        });
        // No base unit: Prometheus would append it to the name, and requests per second is none.
        Gauge.builder("namegate.upstream.rate.limit", limiter, AdaptiveRateLimiter::rate)
                .description("Requests per second currently allowed toward the internal service").register(registry);
        return new DeadlineOrderedPermits(limiter, clock);
    }

    private static UpstreamInstances instances(UpstreamProperties properties, Scheduler clock, MeterRegistry registry) {
        UpstreamProperties.Outliers outliers = properties.outliers();
        UpstreamInstances instances = new UpstreamInstances(properties.baseUrls(), outliers.consecutiveFailures(),
                outliers.consecutiveTimeouts(), outliers.baseEjection().toNanos(), outliers.maxEjection().toNanos(),
                properties.attemptTimeout().toNanos(), clock,
                new UpstreamInstances.Listener() {
                    @Override
                    public void ejected(String instance, long forMillis) {
                        LOG.warn("instance {} ejected for {} ms after consecutive connect failures or timeouts",
                                instance, forMillis);
                    }

                    @Override
                    public void returned(String instance) {
                        LOG.info("instance {} back in rotation", instance);
                    }
                });
        Gauge.builder("namegate.upstream.instances.ejected", instances, UpstreamInstances::ejectedCount)
                .description("Internal service instances out of rotation").register(registry);
        return instances;
    }

    private static Duration ceilSeconds(Duration d) {
        return Duration.ofSeconds(Math.max(1, (d.toMillis() + 999) / 1000));
    }
}
