package dev.namegate.upstream;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.netty.resources.ConnectionProvider;

/** The real internal client, wired as the application wires it, from a few properties. */
final class TestUpstream implements AutoCloseable {

    final UpstreamProperties properties;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final InternalUserClient client;
    private final ConnectionProvider connections;

    TestUpstream(Map<String, String> settings, Clock breakerClock) {
        this(settings, breakerClock, null);
    }

    /** @param ownLag stands in for the event-loop lag probe ({@code null}: never lagging), overloaded and stalled alike */
    TestUpstream(Map<String, String> settings, Clock breakerClock, BooleanSupplier ownLag) {
        this(settings, breakerClock, ownLag, ownLag);
    }

    /**
     * @param ownLag our own load makes the loops lag ({@code null}: never)
     * @param ownStall the loops ran late just now, whatever the load ({@code null}: never)
     */
    TestUpstream(Map<String, String> settings, Clock breakerClock, BooleanSupplier ownLag, BooleanSupplier ownStall) {
        Map<String, String> all = new LinkedHashMap<>();
        settings.forEach((k, v) -> all.put("namegate.upstream." + k, v));
        properties = new Binder(new MapConfigurationPropertySource(all))
                .bind("namegate.upstream", UpstreamProperties.class).get();
        connections = UpstreamClientConfiguration.upstreamConnections(properties);
        client = UpstreamClientConfiguration.internalUserClient(
                UpstreamClientConfiguration.upstreamHttpClient(connections, properties), properties, meters, breakerClock, ownLag, ownStall);
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
