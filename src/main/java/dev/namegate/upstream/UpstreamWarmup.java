package dev.namegate.upstream;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

/**
 * Keeps readiness down until the first lookups are done, so the first real request after a
 * start does not pay for event-loop start-up, connection set-up and cold code. Part of the
 * readiness group ({@code /readyz}); liveness does not wait for it. The outcome of the warm-up
 * lookups does not matter: an internal service that is down must not keep us out of rotation
 * forever (our answers then are fast problems, which is the best there is).
 */
@Component("upstreamWarmup")
public class UpstreamWarmup implements HealthIndicator, ApplicationListener<ApplicationReadyEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamWarmup.class);

    private final HttpClient httpClient;
    private final InternalUserClient client;
    private final UpstreamProperties.Warmup warmup;
    private final AtomicBoolean done = new AtomicBoolean();

    public UpstreamWarmup(HttpClient upstreamHttpClient, InternalUserClient client, UpstreamProperties properties) {
        this.httpClient = upstreamHttpClient;
        this.client = client;
        this.warmup = properties.warmup();
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        long start = System.nanoTime();
        httpClient.warmup()
                .thenMany(Flux.range(0, warmup.requests())
                        .flatMap(i -> client.lookup(warmup.userId(), "warmup-" + i, "0af7651916cd43dd8448eb211c80319c")
                                .onErrorResume(e -> reactor.core.publisher.Mono.empty())))
                .subscribeOn(Schedulers.boundedElastic())
                .doFinally(signal -> {
                    done.set(true);
                    LOG.info("warm-up done: {} lookups in {} ms, ready", warmup.requests(),
                            (System.nanoTime() - start) / 1_000_000);
                })
                .subscribe(ignored -> { }, error -> { });
    }

    public boolean isDone() {
        return done.get();
    }

    @Override
    public Health health() {
        return done.get() ? Health.up().build() : Health.outOfService().withDetail("warmup", "in progress").build();
    }
}
