package dev.namegate.web;

import org.springframework.web.server.ServerWebExchange;

/**
 * When a request arrived ({@link System#nanoTime()}), noted by {@link RequestIdFilter} before any
 * wait: the lookup's deadline counts from then, so the 100 ms promise holds for a request that
 * first waited for admission.
 */
public final class Arrival {

    /** Exchange attribute holding the arrival time (a {@link Long}, {@link System#nanoTime()}). */
    public static final String ATTRIBUTE = Arrival.class.getName();

    private Arrival() {
    }

    static void note(ServerWebExchange exchange) {
        exchange.getAttributes().put(ATTRIBUTE, System.nanoTime());
    }

    /** Nanoseconds since the request arrived; 0 when its arrival was not noted. */
    public static long elapsedNanos(ServerWebExchange exchange) {
        Long arrived = exchange.getAttribute(ATTRIBUTE);
        return arrived == null ? 0 : Math.max(0, System.nanoTime() - arrived);
    }
}
