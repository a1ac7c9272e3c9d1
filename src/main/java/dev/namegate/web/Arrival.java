package dev.namegate.web;

import org.springframework.web.server.ServerWebExchange;

/**
 * When a request arrived, noted by {@link RequestIdFilter} with its id, before any wait: the
 * lookup's deadline counts from then, so the 100 ms promise holds for a request that first waited
 * for admission.
 */
public final class Arrival {

    private Arrival() {
    }

    /** Nanoseconds since the request arrived; 0 when its arrival was not noted. */
    public static long elapsedNanos(ServerWebExchange exchange) {
        RequestId.Stamp stamp = RequestId.stampOf(exchange);
        return stamp == null ? 0 : Math.max(0, System.nanoTime() - stamp.arrivedNanos());
    }
}
