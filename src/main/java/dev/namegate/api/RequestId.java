package dev.namegate.api;

import java.util.regex.Pattern;

import org.springframework.web.server.ServerWebExchange;

import dev.namegate.trace.RandomHex;

/**
 * The id that ties a request's response, upstream calls and log lines together. A caller's own
 * {@code X-Request-Id} is kept when it is short and plain; anything else is replaced, so a
 * hostile value never reaches a log line or an upstream header.
 */
public final class RequestId {

    public static final String HEADER = "X-Request-Id";
    /** Exchange attribute holding the request's id (a {@link String}). */
    public static final String ATTRIBUTE = RequestId.class.getName();

    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private RequestId() {
    }

    /** The caller's id when acceptable, else a fresh random one (128 bits, hex). */
    public static String acceptOrCreate(String offered) {
        if (offered != null && ACCEPTABLE.matcher(offered).matches()) {
            return offered;
        }
        return RandomHex.of(32);
    }

    /** The id {@link RequestIdFilter} gave this exchange ({@code "-"} if it ran too early). */
    public static String of(ServerWebExchange exchange) {
        String id = exchange.getAttribute(ATTRIBUTE);
        return id != null ? id : "-";
    }
}
