package dev.namegate.web;

import java.util.regex.Pattern;

import org.slf4j.spi.LoggingEventBuilder;
import org.springframework.web.server.ServerWebExchange;

import dev.namegate.apikey.ApiKey;
import dev.namegate.trace.RandomHex;

/**
 * The id that ties a request's response, problem, audit events, upstream calls and log lines
 * together: always one of ours, so no caller can choose the id of record (reuse another request's
 * id, or make two of its own look like one). A caller's own {@code X-Request-Id}, when short and
 * plain, is kept as its correlation id: echoed as {@code X-Correlation-Id} and added as the field
 * {@code correlationId} to the lines that explain a failure ({@link #withCorrelation}); anything
 * else is dropped, so a hostile value never reaches a log line, and so is a value holding
 * something shaped like an API key, which a client may have put there by mistake.
 */
public final class RequestId {

    /** Our id on every response; a caller's value in a request is only a correlation id. */
    public static final String HEADER = "X-Request-Id";
    /** The caller's {@code X-Request-Id}, echoed when it was acceptable. */
    public static final String CORRELATION_HEADER = "X-Correlation-Id";
    /**
     * Exchange attribute holding the request's {@link Stamp}: one attribute for the three values,
     * as the exchange's attribute map grows (rehashes) once it holds twelve, on every request.
     */
    static final String ATTRIBUTE = RequestId.class.getName();

    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private RequestId() {
    }

    /** A fresh id: 128 random bits, hex. */
    public static String create() {
        return RandomHex.of(32);
    }

    /**
     * The caller's id as a correlation id, or {@code null} when absent, not short and plain, or
     * holding a key (it would be logged and echoed).
     */
    public static String correlation(String offered) {
        return offered != null && ACCEPTABLE.matcher(offered).matches() && !ApiKey.appearsIn(offered) ? offered : null;
    }

    /** The id {@link RequestIdFilter} gave this exchange ({@code "-"} if it ran too early). */
    public static String of(ServerWebExchange exchange) {
        Stamp stamp = stampOf(exchange);
        return stamp != null ? stamp.id() : "-";
    }

    /** The caller's correlation id for this exchange, or {@code null}. */
    public static String correlationOf(ServerWebExchange exchange) {
        Stamp stamp = stampOf(exchange);
        return stamp != null ? stamp.correlation() : null;
    }

    /** Gives {@code exchange} its id, the caller's correlation id (or {@code null}) and its arrival time. */
    static void stamp(ServerWebExchange exchange, String id, String correlation, long arrivedNanos) {
        exchange.getAttributes().put(ATTRIBUTE, new Stamp(id, correlation, arrivedNanos));
    }

    /** What {@link RequestIdFilter} noted of the exchange, or {@code null} if it did not see it. */
    static Stamp stampOf(ServerWebExchange exchange) {
        return exchange.getAttribute(ATTRIBUTE);
    }

    /** A request's id, its caller's correlation id ({@code null} if none) and its arrival ({@link System#nanoTime()}). */
    record Stamp(String id, String correlation, long arrivedNanos) {
    }

    /** {@code event} with the field {@code correlationId} when the caller sent one. */
    public static LoggingEventBuilder withCorrelation(LoggingEventBuilder event, ServerWebExchange exchange) {
        String correlation = correlationOf(exchange);
        return correlation == null ? event : event.addKeyValue("correlationId", correlation);
    }
}
