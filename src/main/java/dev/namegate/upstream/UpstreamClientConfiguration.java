package dev.namegate.upstream;

import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
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
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import dev.namegate.overload.EventLoopLag;

/**
 * Wires the internal client: Reactor Netty with per-attempt limits, the retry policy, and the
 * guards of the internal service (budget, breaker, adaptive rate, hedging, outlier ejection),
 * each with its metrics and one log line per change of state.
 */
@Configuration(proxyBeanMethods = false)
class UpstreamClientConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger("dev.namegate.upstream.guards");

    UpstreamClientConfiguration() {
        DroppedErrors.install();
    }

    @Bean(destroyMethod = "dispose")
    static ConnectionProvider upstreamConnections(UpstreamProperties properties) {
        UpstreamProperties.Pool pool = properties.pool();
        return ConnectionProvider.builder("internal-user-service")
                .maxConnections(pool.maxConnections())
                .pendingAcquireTimeout(pool.pendingAcquireTimeout())
                .pendingAcquireMaxCount(pool.pendingAcquireMaxCount())
                .maxIdleTime(pool.maxIdleTime())
                .build();
    }

    @Bean
    static HttpClient upstreamHttpClient(ConnectionProvider upstreamConnections, UpstreamProperties properties) {
        return HttpClient.create(upstreamConnections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, (int) properties.connectTimeout().toMillis()))
                .responseTimeout(properties.responseTimeout())
                // every attempt the internal service sees must be one the policy counted
                .disableRetry(true);
    }

    @Bean
    InternalUserClient internalUserClient(HttpClient upstreamHttpClient, UpstreamProperties properties,
            MeterRegistry registry, ObjectProvider<EventLoopLag> eventLoopLag) {
        // switched off (namegate.overload.enabled=false), the probe never starts and never lags
        EventLoopLag lag = eventLoopLag.getIfAvailable();
        return internalUserClient(upstreamHttpClient, properties, registry, Clock.systemUTC(),
                lag == null ? null : lag::overloaded, lag == null ? null : lag::lagging);
    }

    /**
     * As the bean, with the clock that times the breaker's open state given (tests move it).
     *
     * @param ownLag true while our own load makes our event loops lag ({@code null}: never)
     * @param ownStall true when our event loops ran late just now, whatever the load ({@code null}: never)
     */
    static InternalUserClient internalUserClient(HttpClient upstreamHttpClient, UpstreamProperties properties,
            MeterRegistry registry, Clock breakerClock, BooleanSupplier ownLag, BooleanSupplier ownStall) {
        Scheduler clock = new EventLoopTimers(Schedulers.parallel());
        int maxBody = (int) Math.min(Integer.MAX_VALUE, properties.maxBodySize().toBytes());
        WebClient webClient = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(upstreamHttpClient))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(maxBody))
                .build();

        UpstreamMetrics metrics = new UpstreamMetrics(registry);
        RetryBudget budget = budget(properties.budget(), clock, registry, metrics);
        RetryPolicy policy = RetryPolicy.from(properties, clock, new RetryLog(), budget);
        UpstreamProperties.Hedging hedging = properties.hedging();
        InternalUserClient.Guards guards = new InternalUserClient.Guards(
                budget,
                breaker(properties.breaker(), breakerClock, registry),
                limiter(properties.rateLimit(), clock, registry),
                hedging.enabled() && hedging.maxHedges() > 0
                        ? new AdaptiveHedgeDelay(hedging.delay(),
                                hedging.adaptive() ? properties.responseTimeout() : hedging.delay(), hedging.percentile())
                        : null,
                hedging.maxHedges(),
                ceilSeconds(properties.breaker().openFor()),
                ownLag, ownStall);
        UpstreamInstances instances = instances(properties, clock, registry);
        return new InternalUserClient(webClient, properties, instances, policy, metrics, guards);
    }

    private static RetryBudget budget(UpstreamProperties.Budget settings, Scheduler clock, MeterRegistry registry,
            UpstreamMetrics metrics) {
        if (!settings.enabled()) {
            return null;
        }
        RetryBudget budget = new RetryBudget(settings.ratio(), settings.minPerSecond(), settings.window(), clock,
                new RetryBudget.Listener() {
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
        Gauge.builder("namegate.upstream.retry.budget.remaining", budget, RetryBudget::remaining)
                .description("Retries and hedges the budget still allows in its window").register(registry);
        return budget;
    }

    /** The breaker over attempts, or {@code null} when switched off; {@code clock} times its open state. */
    static CircuitBreaker breaker(UpstreamProperties.Breaker settings, Clock clock, MeterRegistry registry) {
        if (!settings.enabled()) {
            return null;
        }
        CircuitBreaker breaker = CircuitBreaker.of("internal-user-service", CircuitBreakerConfig.custom()
                .clock(clock)
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minimumAttempts())
                .failureRateThreshold(settings.failureRateThreshold())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(settings.probes())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build());
        breaker.getEventPublisher().onStateTransition(event -> LOG.warn("circuit breaker {} -> {}",
                event.getStateTransition().getFromState(), event.getStateTransition().getToState()));
        Gauge.builder("namegate.upstream.breaker.state", breaker, b -> b.getState().getOrder())
                .description("Circuit breaker state: 0 closed, 1 open, 2 half-open, ...").register(registry);
        return breaker;
    }

    private static AdaptiveRateLimiter limiter(UpstreamProperties.RateLimit settings, Scheduler clock, MeterRegistry registry) {
        if (!settings.enabled()) {
            return null;
        }
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(settings, clock,
                (from, to) -> LOG.info("upstream rate limit cut after a 429: {} -> {} requests/s",
                        Math.round(from), Math.round(to)));
        Gauge.builder("namegate.upstream.rate.limit", limiter, AdaptiveRateLimiter::rate)
                .description("Requests/s currently allowed toward the internal service").baseUnit("requests/s")
                .register(registry);
        return limiter;
    }

    private static UpstreamInstances instances(UpstreamProperties properties, Scheduler clock, MeterRegistry registry) {
        UpstreamProperties.Outliers outliers = properties.outliers();
        UpstreamInstances instances = new UpstreamInstances(properties.baseUrls(), outliers.consecutiveFailures(),
                outliers.consecutiveTimeouts(), outliers.baseEjection().toNanos(), outliers.maxEjection().toNanos(), clock,
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
