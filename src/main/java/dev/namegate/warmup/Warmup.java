package dev.namegate.warmup;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import dev.namegate.cache.NameCache;
import dev.namegate.overload.OverloadDrill;
import dev.namegate.upstream.UserLookups;

/**
 * Keeps readiness ({@code /readyz}) down until the service has served traffic, so the first real
 * request after a start does not pay for event-loop start-up, connection set-up, class loading
 * and cold code. Five phases: lookups straight to the internal service (priming the pool),
 * requests to our own public API over loopback with a key that exists only in memory for the
 * warm-up, the probes and the scrape the cluster will send, the name cache's eviction drill
 * ({@link NameCache#drillEviction}), then an {@link OverloadDrill}: lookups
 * the overload protection refuses, so its refusals are compiled before a real overload, whose
 * core has no time to spare for the compiler. Their outcome does not matter:
 * an internal service that is down must not keep us out of rotation (our answers then are fast
 * problems, the best there is), and a bounded timeout ends the warm-up whatever happens.
 * Liveness never waits for it. Its requests to this process go over connections of their own,
 * closed when it ends: the drill opens hundreds, which a shared pool would keep open, idle, for a
 * minute after readiness.
 */
@Component("warmup")
public class Warmup implements HealthIndicator, ApplicationListener<ApplicationReadyEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    /** One drill request in this many asks for a path no route has. */
    private static final int NO_ROUTE_EVERY = 256;
    private static final String NO_ROUTE = "/warmup/no-such-path";

    private final HttpClient upstreamHttpClient;
    private final UserLookups lookups;
    private final List<WarmupParticipant> participants;
    private final NameCache nameCache;
    private final OverloadDrill overloadDrill;
    private final WarmupProperties properties;
    private final AtomicBoolean done = new AtomicBoolean();

    public Warmup(HttpClient upstreamHttpClient, UserLookups lookups, List<WarmupParticipant> participants,
            NameCache nameCache, OverloadDrill overloadDrill, WarmupProperties properties) {
        this.upstreamHttpClient = upstreamHttpClient;
        this.lookups = lookups;
        this.participants = List.copyOf(participants);
        this.nameCache = nameCache;
        this.overloadDrill = overloadDrill;
        this.properties = properties;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        String port = event.getApplicationContext().getEnvironment().getProperty("local.server.port");
        long start = System.nanoTime();
        ConnectionProvider ownConnections = ConnectionProvider.create("namegate-warmup",
                Math.max(properties.drillConcurrency(), properties.concurrency()));
        WebClient.Builder toSelf = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(ownConnections)));
        Map<String, String> headers = new HashMap<>();
        participants.forEach(participant -> headers.putAll(participant.warmupStarting()));
        Duration pace = Duration.ofNanos((long) (1e9 / properties.rate()));
        Mono<Void> directLookups = Flux.range(0, properties.lookups())
                .delayElements(pace)
                .flatMap(i -> lookups.lookup(properties.userId(), "warmup-" + i, TRACE_ID)
                        .onErrorResume(e -> Mono.empty()), properties.concurrency())
                .then();
        Mono<Void> selfRequests = port == null || properties.requests() == 0 ? Mono.empty() : Mono.defer(() -> {
            WebClient self = onLoopback(toSelf, port)
                    .defaultHeaders(defaults -> headers.forEach(defaults::set))
                    .build();
            return Flux.range(0, properties.requests())
                    .delayElements(pace)
                    .flatMap(i -> self.get().uri("/users/{id}", properties.userId())
                            .header("X-Request-Id", "warmup-self-" + i)
                            .accept(i % 4 == 3 ? MediaType.TEXT_PLAIN : MediaType.APPLICATION_JSON)
                            .retrieve().toBodilessEntity()
                            .onErrorResume(e -> Mono.empty()), properties.concurrency())
                    .then();
        });
        String managementPort = event.getApplicationContext().getEnvironment().getProperty("local.management.port");
        Mono<Void> probes = port == null || properties.probes() == 0 ? Mono.empty() : Mono.defer(() -> {
            WebClient self = onLoopback(toSelf, port).build();
            WebClient management = managementPort == null ? self : onLoopback(toSelf, managementPort).build();
            // one round after another, unpaced: they reach only this process, not the internal service
            return Flux.range(0, properties.probes())
                    .concatMap(i -> Flux.concat(probe(self, "/livez"), probe(self, "/readyz"),
                            probe(management, "/actuator/prometheus")))
                    .then();
        });
        // most of a second of CPU work: not for an event loop
        Mono<Void> cacheDrill = properties.cacheDrillOperations() == 0 ? Mono.empty()
                : Mono.<Void>fromRunnable(this::cacheDrill).subscribeOn(Schedulers.boundedElastic());
        Mono<Void> drill = port == null || properties.drillRequests() == 0 ? Mono.empty()
                : Mono.defer(() -> overloadDrill(onLoopback(toSelf, port).build()));
        AtomicReference<String> step = new AtomicReference<>("the upstream client's connections");
        AtomicBoolean cutShort = new AtomicBoolean();
        upstreamHttpClient.warmup()
                .then(step("the lookups", directLookups, step))
                .then(step("the requests", selfRequests, step))
                .then(step("the probes", probes, step))
                .then(step("the cache drill", cacheDrill, step))
                .then(step("the overload drill", drill, step))
                .timeout(properties.timeout(), Mono.fromRunnable(() -> cutShort.set(true)))
                .doFinally(signal -> {
                    ownConnections.disposeLater().subscribe(ignored -> { },
                            error -> LOG.warn("closing the warm-up's connections failed: {}", error.getClass().getName()));
                    participants.forEach(WarmupParticipant::warmupEnded);
                    done.set(true);
                    if (cutShort.get()) {
                        // said apart: the counts below are what was asked for, and what it did not
                        // reach is compiled under the first load that needs it
                        LOG.warn("warm-up cut short by its timeout ({} ms) in {}: ready", properties.timeout().toMillis(),
                                step.get());
                    } else {
                        LOG.info("warm-up done in {} ms ({} lookups, {} requests, {} rounds of probes, {} cache drill operations, {} drill requests): ready",
                                Duration.ofNanos(System.nanoTime() - start).toMillis(), properties.lookups(), properties.requests(),
                                properties.probes(), properties.cacheDrillOperations(), properties.drillRequests());
                    }
                    if (properties.exitWhenDone()) {
                        exit(event.getApplicationContext());
                    }
                })
                .subscribe(ignored -> { }, error -> LOG.warn("warm-up failed: {}", error.getClass().getName()));
    }

    /** {@code work}, marked as the warm-up's current step once it starts. */
    private static Mono<Void> step(String name, Mono<Void> work, AtomicReference<String> current) {
        return Mono.defer(() -> {
            current.set(name);
            return work;
        });
    }

    private void cacheDrill() {
        long start = System.nanoTime();
        long evicted = nameCache.drillEviction(properties.cacheDrillOperations());
        LOG.info("cache drill done: {} operations, {} evicted, in {} ms", properties.cacheDrillOperations(), evicted,
                Duration.ofNanos(System.nanoTime() - start).toMillis());
    }

    /**
     * Lookups the drill refuses, unpaced, half of them marked to be refused on arrival and the
     * rest after their turn, but one in sixteen marked to be let in; HEAD one in eight times and
     * with a request id of their own every third time, so the refusals' branches are all taken.
     * Their answers are read as answers, not errors: an exception for each refusal would cost more
     * than the refusal itself. One in {@value #NO_ROUTE_EVERY} asks for a path no route has, and
     * ends through the exception handler (404): C2 compiles the request observation in the drill,
     * and compiled without that branch, it went back to the interpreter at the first request to
     * end so after readiness (a 404, or a client gone with requests in flight), to be compiled
     * again at the next burst (over a second of the core).
     */
    private Mono<Void> overloadDrill(WebClient self) {
        if (!overloadDrill.start()) {
            return Mono.empty();
        }
        return Flux.range(0, properties.drillRequests())
                .flatMap(i -> self.method(i % 8 == 7 ? HttpMethod.HEAD : HttpMethod.GET)
                        .uri(i % NO_ROUTE_EVERY == 3 ? NO_ROUTE : "/users/{id}", properties.userId())
                        .headers(headers -> {
                            headers.set(OverloadDrill.HEADER, drillMark(i));
                            if (i % 3 == 2) {
                                headers.set("X-Request-Id", "warmup-drill-" + i);
                            }
                        })
                        .exchangeToMono(ClientResponse::releaseBody)
                        .onErrorResume(e -> Mono.empty()), properties.drillConcurrency())
                .then()
                // however it ends: completed, or cancelled by the warm-up's timeout
                .doFinally(signal -> overloadDrill.end());
    }

    private static String drillMark(int i) {
        if (i % 16 == 1) {
            return OverloadDrill.LET_IN_MARK;
        }
        return i % 2 == 0 ? OverloadDrill.ON_ARRIVAL_MARK : OverloadDrill.AFTER_TURN_MARK;
    }

    private static WebClient.Builder onLoopback(WebClient.Builder toSelf, String port) {
        return toSelf.clone().baseUrl("http://127.0.0.1:" + port);
    }

    /** One GET whose answer does not matter: during the warm-up readiness is still down (503). */
    private static Mono<Void> probe(WebClient client, String path) {
        return client.get().uri(path).retrieve().toBodilessEntity().then().onErrorResume(e -> Mono.empty());
    }

    /**
     * Closes the context and ends the JVM, as {@code -Dspring.context.exit=onRefresh} does, so the JVM
     * writes its CDS archive or AOT cache. On a thread of its own: closing waits for the servers,
     * whose event loops may be the caller.
     */
    private static void exit(ConfigurableApplicationContext context) {
        LOG.info("exiting after the warm-up (namegate.warmup.exit-when-done: a training run)");
        Thread exit = new Thread(() -> System.exit(SpringApplication.exit(context)), "warmup-exit");
        exit.start();
    }

    public boolean isDone() {
        return done.get();
    }

    @Override
    public Health health() {
        return done.get() ? Health.up().build() : Health.outOfService().withDetail("warmup", "in progress").build();
    }
}
