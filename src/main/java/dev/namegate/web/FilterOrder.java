package dev.namegate.web;

import org.springframework.core.Ordered;

/**
 * The order of every {@code WebFilter}, in one place; the first runs outermost. The filters of the
 * {@code /users} routes come after all of these, in the order {@code ApiRoutes} registers them:
 * authentication (whose failures the source-address throttle counts and slows), then the client's
 * rate limit and quota.
 */
public final class FilterOrder {

    /** Hardening headers on every answer, the earliest refusals included. */
    public static final int SECURITY_HEADERS = Ordered.HIGHEST_PRECEDENCE;
    /** The request id, so every answer and log line after this carries it. */
    public static final int REQUEST_ID = SECURITY_HEADERS + 1;
    /** Credentials in the URL are refused before anything else reads the request. */
    public static final int CREDENTIALS_IN_URL = REQUEST_ID + 1;
    /** While the event loops lag, a share of requests is refused before any key is checked. */
    public static final int LOAD_SHEDDING = CREDENTIALS_IN_URL + 1;
    /** Notes an {@code X-Forwarded-For} the deployment does not trust (a misconfiguration). */
    public static final int UNTRUSTED_FORWARDED_FOR = LOAD_SHEDDING + 1;

    private FilterOrder() {
    }
}
