package dev.namegate.web;

import org.springframework.web.server.ServerWebExchange;

import io.netty.util.AttributeKey;
import reactor.netty.Connection;

/**
 * When a request arrived, noted by {@link RequestIdFilter} with its id, before any wait: the
 * lookup's deadline counts from then, so the 100 ms promise holds for a request that first waited
 * for admission.
 */
public final class Arrival {

    /**
     * Set on the connection, by a handler ahead of WebFlux that kept its request waiting, to when
     * that request was read ({@link System#nanoTime()}); taken as the next exchange's arrival.
     */
    public static final AttributeKey<Long> WAITED_SINCE = AttributeKey.valueOf("namegate.waitedSince");

    private Arrival() {
    }

    /**
     * When the exchange's request arrived, {@code now} unless it waited on its connection before
     * WebFlux saw it ({@link #WAITED_SINCE}, taken off the connection here).
     */
    static long arrivedNanos(ServerWebExchange exchange, long now) {
        Connection connection = ServerConnection.of(exchange);
        if (connection != null && connection.channel().hasAttr(WAITED_SINCE)) {
            Long waitedSince = connection.channel().attr(WAITED_SINCE).getAndSet(null);
            return waitedSince == null ? now : waitedSince;
        }
        return now;
    }

    /** Nanoseconds since the request arrived; 0 when its arrival was not noted. */
    public static long elapsedNanos(ServerWebExchange exchange) {
        RequestId.Stamp stamp = RequestId.stampOf(exchange);
        return stamp == null ? 0 : Math.max(0, System.nanoTime() - stamp.arrivedNanos());
    }
}
