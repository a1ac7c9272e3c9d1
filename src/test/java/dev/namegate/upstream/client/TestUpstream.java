package dev.namegate.upstream.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.ConnectionProvider;

import dev.namegate.time.EventLoopTimers;
import dev.namegate.upstream.UpstreamProperties;

/** The real internal client, wired as the application wires it, from a few properties. */
final class TestUpstream implements AutoCloseable {

    final UpstreamProperties properties;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final InternalUserClient client;
    private final ConnectionProvider connections;

    /** On real time, never lagging. */
    TestUpstream(Map<String, String> settings) {
        this(settings, new EventLoopTimers(Schedulers.parallel()), OwnLoad.NONE);
    }

    /**
     * @param time the client's one clock: a {@code VirtualTimeScheduler} moves the deadline, the
     *        timeouts, the breaker and the limiter together, while the network stays real
     * @param ownLoad stands in for the event-loop lag probe
     */
    TestUpstream(Map<String, String> settings, Scheduler time, OwnLoad ownLoad) {
        Map<String, String> all = new LinkedHashMap<>();
        settings.forEach((k, v) -> all.put("namegate.upstream." + k, v));
        properties = new Binder(new MapConfigurationPropertySource(all))
                .bind("namegate.upstream", UpstreamProperties.class).get();
        connections = UpstreamClientConfiguration.upstreamConnections(properties);
        client = UpstreamClientConfiguration.internalUserClient(
                UpstreamClientConfiguration.upstreamHttpClient(connections, properties), properties, meters, time, ownLoad);
    }

    /**
     * One instance at {@code baseUrl}, every guard (budget, hedging, rate limit, breaker) off, and
     * timeouts only a virtual clock reaches in a test (Netty's own beyond any test's length), with
     * {@code overrides} on top.
     */
    static Map<String, String> guardsOff(String baseUrl, String... overrides) {
        return settings(Map.ofEntries(
                Map.entry("base-urls", baseUrl),
                Map.entry("connect-timeout", "1s"), Map.entry("response-timeout", "9s"),
                Map.entry("attempt-timeout", "10s"), Map.entry("deadline", "30s"),
                Map.entry("pool.pending-acquire-timeout", "1s"),
                Map.entry("budget.enabled", "false"), Map.entry("hedging.enabled", "false"),
                Map.entry("rate-limit.enabled", "false"), Map.entry("breaker.enabled", "false")), overrides);
    }

    /** {@code base} with the key-value pairs of {@code overrides} on top (keys relative to {@code namegate.upstream}). */
    static Map<String, String> settings(Map<String, String> base, String... overrides) {
        Map<String, String> all = new LinkedHashMap<>(base);
        for (int i = 0; i < overrides.length; i += 2) {
            all.put(overrides[i], overrides[i + 1]);
        }
        return all;
    }

    /** Our own load as the probe would report it. */
    static OwnLoad ownLoad(BooleanSupplier overloaded, BooleanSupplier stalled, BooleanSupplier shedding) {
        return new OwnLoad() {
            @Override
            public boolean overloaded() {
                return overloaded.getAsBoolean();
            }

            @Override
            public boolean stalled() {
                return stalled.getAsBoolean();
            }

            @Override
            public boolean shedding() {
                return shedding.getAsBoolean();
            }
        };
    }

    double counter(String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        connections.dispose();
    }
}
