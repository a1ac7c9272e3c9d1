package dev.namegate.hardening;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;

/**
 * At most {@code max} open connections on one server: a connection beyond is closed as soon as it
 * is accepted, before a byte is read, so a flood of idle connections cannot take the file
 * descriptors and memory the clients being served need. One WARN when refusals start and one
 * INFO when the count is back under nine tenths of the cap (an episode), not one per refusal.
 */
final class ConnectionCap {

    private static final Logger log = LoggerFactory.getLogger(ConnectionCap.class);

    private final int max;
    private final Counter refused;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final AtomicLong refusedInEpisode = new AtomicLong();

    ConnectionCap(int max, Counter refused) {
        this.max = max;
        this.refused = refused;
    }

    /** Counts {@code channel} in until it closes; closes it at once when the cap is reached. */
    void admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.increment();
            refusedInEpisode.incrementAndGet();
            if (refusing.compareAndSet(false, true)) {
                log.warn("{} connections open (namegate.server.max-connections): closing new ones at once", max);
            }
            channel.close();
            return;
        }
        channel.closeFuture().addListener(closed -> {
            if (open.decrementAndGet() < max - max / 10 && refusing.compareAndSet(true, false)) {
                log.info("accepting connections again; {} refused meanwhile", refusedInEpisode.getAndSet(0));
            }
        });
    }

    int open() {
        return open.get();
    }
}
