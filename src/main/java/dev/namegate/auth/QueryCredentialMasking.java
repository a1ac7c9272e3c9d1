package dev.namegate.auth;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Replaces the value of every credential-named query parameter with {@value #MASK} before the
 * request reaches WebFlux, leaving the name so {@link CredentialsInQueryFilter} still refuses it.
 *
 * <p>Why: Spring's {@code HttpWebHandlerAdapter} logs the method, path and raw query of every
 * request at DEBUG before any {@code WebFilter} runs, so refusing in a filter alone would still
 * let {@code ?password=...} reach a log whenever someone turns on DEBUG for
 * {@code org.springframework.web}. An {@link HttpHandlerDecoratorFactory} bean wraps that adapter
 * (Spring picks it up from the context), so it is the earliest point we own.
 */
@Component
public class QueryCredentialMasking implements HttpHandlerDecoratorFactory {

    /** What a credential value is replaced with. */
    public static final String MASK = "***";

    @Override
    public HttpHandler apply(HttpHandler delegate) {
        return (request, response) -> {
            String masked = maskedQuery(request.getURI().getRawQuery());
            if (masked == null) {
                return delegate.handle(request, response);
            }
            URI uri = UriComponentsBuilder.fromUri(request.getURI()).replaceQuery(masked).build(true).toUri();
            return delegate.handle(request.mutate().uri(uri).build(), response);
        };
    }

    /** The raw query with credential values masked, or {@code null} when there is nothing to mask. */
    static String maskedQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        String[] parts = rawQuery.split("&", -1);
        boolean changed = false;
        for (int i = 0; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String rawName = eq < 0 ? parts[i] : parts[i].substring(0, eq);
            if (CredentialsInQueryFilter.isCredentialName(decode(rawName))) {
                parts[i] = rawName + "=" + MASK;
                changed = true;
            }
        }
        return changed ? String.join("&", parts) : null;
    }

    private static String decode(String rawName) {
        try {
            return URLDecoder.decode(rawName, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformedEscape) {
            return rawName;
        }
    }
}
