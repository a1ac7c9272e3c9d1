package dev.namegate.auth;

import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;


import reactor.core.publisher.Mono;
import dev.namegate.web.FilterOrder;
import dev.namegate.web.NamedWebFilter;
import dev.namegate.web.ProblemKind;
import dev.namegate.web.Problems;
import dev.namegate.web.RequestId;

/**
 * Rejects, on every path, a request whose query string carries something named like a
 * credential ({@code p}, {@code password}, {@code key}, {@code api_key}, {@code apikey},
 * {@code token}, {@code access_token}; any case, percent-encoded or not) with 400
 * {@link ProblemKind#CREDENTIALS_IN_QUERY}; and so, with the same answer, a request with
 * anything shaped like a key ({@link ApiKey#appearsIn}) in its query or path, under any name: a
 * leaked key. What counts is {@link QueryCredentialMasking}'s rule, and its mark on the request
 * is the verdict: the URL is scanned once per request.
 *
 * <p>Why reject instead of ignore: a URL ends up in proxy logs, browser history and Referer
 * headers, which is how a shared password once leaked. Failing loudly teaches the caller to use
 * {@code Authorization: Bearer <key>} before the habit sets in. Runs right after
 * {@link RequestIdFilter} so that nothing later (routing, authentication, handlers, their logs)
 * ever sees such a query string; {@link QueryCredentialMasking} has already masked the values for
 * the framework's own request log, which runs before any filter.
 */
@Component
public class CredentialsInQueryFilter extends NamedWebFilter implements Ordered {


    static final Set<String> CREDENTIAL_NAMES =
            Set.of("p", "password", "key", "api_key", "apikey", "token", "access_token");

    static final String DETAIL = "Credentials are not accepted in the URL (query string or path): send the key in the"
            + " header 'Authorization: Bearer <key>'. A key sent in a URL may have been logged on the way; have it replaced.";

    private static final Logger log = LoggerFactory.getLogger(CredentialsInQueryFilter.class);

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        // The decorator has scanned the URL already (it wraps every handler built from the
        // application context) and marked the request if it masked anything: its verdict is ours.
        if (!QueryCredentialMasking.wasMasked(exchange.getRequest())) {
            return chain.filter(exchange);
        }
        log.debug("rejected credentials in the URL requestId={}", RequestId.of(exchange));
        return Problems.write(exchange, ProblemKind.CREDENTIALS_IN_QUERY, DETAIL);
    }

    /** Whether a (decoded) query parameter name looks like a credential; case-insensitive. */
    static boolean isCredentialName(String name) {
        return CREDENTIAL_NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public int getOrder() {
        return FilterOrder.CREDENTIALS_IN_URL;
    }
}
