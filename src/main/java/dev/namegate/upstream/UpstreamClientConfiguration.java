package dev.namegate.upstream;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** Wires the internal client: Reactor Netty with per-attempt limits, and the retry policy. */
@Configuration(proxyBeanMethods = false)
class UpstreamClientConfiguration {

    UpstreamClientConfiguration() {
        DroppedErrors.install();
    }

    @Bean(destroyMethod = "dispose")
    ConnectionProvider upstreamConnections(UpstreamProperties properties) {
        UpstreamProperties.Pool pool = properties.pool();
        return ConnectionProvider.builder("internal-user-service")
                .maxConnections(pool.maxConnections())
                .pendingAcquireTimeout(pool.pendingAcquireTimeout())
                .pendingAcquireMaxCount(pool.pendingAcquireMaxCount())
                .maxIdleTime(pool.maxIdleTime())
                .build();
    }

    @Bean
    HttpClient upstreamHttpClient(ConnectionProvider upstreamConnections, UpstreamProperties properties) {
        return HttpClient.create(upstreamConnections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, (int) properties.connectTimeout().toMillis()))
                .responseTimeout(properties.responseTimeout())
                // every attempt the internal service sees must be one the policy counted
                .disableRetry(true);
    }

    @Bean
    InternalUserClient internalUserClient(HttpClient upstreamHttpClient, UpstreamProperties properties,
            MeterRegistry registry) {
        int maxBody = (int) Math.min(Integer.MAX_VALUE, properties.maxBodySize().toBytes());
        WebClient webClient = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(upstreamHttpClient))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(maxBody))
                .build();
        RetryPolicy policy = RetryPolicy.from(properties, Schedulers.parallel(), new RetryLog());
        return new InternalUserClient(webClient, properties, policy, new AttemptMetrics(registry));
    }
}
