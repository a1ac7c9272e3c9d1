package dev.namegate.hardening;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;

/**
 * At most {@code max} open connections on one server: a connection beyond is closed as soon as it
 * is accepted, before a byte is read, so a flood of idle connections cannot take the file
 * descriptors and memory the clients being served need. One WARN when refusals start and one
 * INFO when the count is back under nine tenths of the cap (an episode), not one per refusal.
 * One cap per server customized: its meters carry the server's port, so two never share a name.
 */
final class ConnectionCap {

    private static final Logger log = LoggerFactory.getLogger(ConnectionCap.class);

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final AtomicLong refusedInEpisode = new AtomicLong();
    private volatile int port;

    ConnectionCap(int max) {
        this.max = max;
    }

    /**
     * Registers this server's meters once its port is known: {@code namegate.server.connections}
     * and {@code namegate.server.connections.refused}, tagged {@code port}.
     */
    void bound(int port, MeterRegistry registry) {
        this.port = port;
        String tag = Integer.toString(port);
        Gauge.builder("namegate.server.connections", this, ConnectionCap::open)
                .description("Open connections").tag("port", tag).register(registry);
        FunctionCounter.builder("namegate.server.connections.refused", this, ConnectionCap::refused)
                .description("Connections closed at once because namegate.server.max-connections were open")
                .tag("port", tag).register(registry);
    }

    /** Counts {@code channel} in until it closes; closes it at once when the cap is reached. */
    void admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.incrementAndGet();
            refusedInEpisode.incrementAndGet();
            if (refusing.compareAndSet(false, true)) {
                log.warn("{} connections open on port {} (namegate.server.max-connections): closing new ones at once",
                        max, port);
            }
            channel.close();
            return;
        }
        channel.closeFuture().addListener(closed -> {
            if (open.decrementAndGet() < max - max / 10 && refusing.compareAndSet(true, false)) {
                log.info("port {} accepting connections again; {} refused meanwhile", port,
                        refusedInEpisode.getAndSet(0));
            }
        });
    }

    int open() {
        return open.get();
    }

    long refused() {
        return refused.get();
    }
}
