package dev.namegate.hardening;

import java.util.Map;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;
import dev.namegate.web.FilterOrder;
import dev.namegate.web.NamedWebFilter;

/**
 * The same hardening headers on every response, errors and early refusals included, whatever
 * is switched off; the one owner of them (OWASP REST Security Cheat Sheet, for JSON APIs):
 * <ul>
 * <li>{@code X-Content-Type-Options: nosniff}: a name is user-controlled text, and a browser
 *     must never sniff a text or problem body into HTML;
 * <li>{@code Content-Security-Policy: default-src 'none'; frame-ancestors 'none'}: should a body
 *     be rendered anyway, it may load nothing and be framed by nobody;
 * <li>{@code Cache-Control: no-store}: names are personal data, and neither a shared cache nor a
 *     browser should keep them; the OpenAPI document is small and rarely read, not worth an
 *     exception.
 * </ul>
 * Runs first, so even refusals of the filters after it (credentials in the URL, the load
 * shedder) carry them.
 */
@Component
public class SecurityHeadersFilter extends NamedWebFilter implements Ordered {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

    /** The headers and their values, for answers written below WebFlux too. */
    public static final Map<String, String> HEADERS = Map.of(
            "X-Content-Type-Options", "nosniff",
            "Content-Security-Policy", CONTENT_SECURITY_POLICY,
            HttpHeaders.CACHE_CONTROL, "no-store");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpHeaders headers = exchange.getResponse().getHeaders();
        HEADERS.forEach(headers::set);
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return FilterOrder.SECURITY_HEADERS;
    }
}
