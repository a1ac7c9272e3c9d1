package dev.namegate.auth;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import dev.namegate.apikey.ApiKey;

/**
 * Masks credentials in the URL before the request reaches WebFlux, and marks the request so
 * {@link CredentialsInQueryFilter} refuses it (by that mark alone: the filter does not scan again):
 * the value of every credential-named query
 * parameter becomes {@value #MASK}, and so does every query part or path segment holding
 * something shaped like a key ({@link ApiKey#appearsIn}), whatever its name.
 *
 * <p>Why: Spring's {@code HttpWebHandlerAdapter} logs the method, path and raw query of every
 * request at DEBUG before any {@code WebFilter} runs, so refusing in a filter alone would still
 * let {@code ?password=...} reach a log whenever someone turns on DEBUG for
 * {@code org.springframework.web}. An {@link HttpHandlerDecoratorFactory} bean wraps that adapter
 * (Spring picks it up from the context), so it is the earliest point we own.
 *
 * <p>Total: whatever the raw query holds ({@code =} inside values, empty names, stray
 * {@code %}), this never throws. An exception here would escape every handler of ours: Reactor
 * Netty would log it with its stack trace and close the connection without an answer.
 */
@Component
public class QueryCredentialMasking implements HttpHandlerDecoratorFactory {

    /** What a credential value is replaced with. */
    public static final String MASK = "***";

    /** {@link CredentialsInQueryFilter#CREDENTIAL_NAMES}, as an array: iterating it allocates nothing. */
    private static final String[] CREDENTIAL_NAMES = CredentialsInQueryFilter.CREDENTIAL_NAMES.toArray(String[]::new);

    @Override
    public HttpHandler apply(HttpHandler delegate) {
        return (request, response) -> delegate.handle(masked(request), response);
    }

    /** Whether {@link QueryCredentialMasking} masked something in this request (or one it decorates). */
    static boolean wasMasked(ServerHttpRequest request) {
        for (ServerHttpRequest r = request; r instanceof ServerHttpRequestDecorator decorator; r = decorator.getDelegate()) {
            if (decorator instanceof Masked) {
                return true;
            }
        }
        return false;
    }

    private static ServerHttpRequest masked(ServerHttpRequest request) {
        URI uri = request.getURI();
        String maskedQuery = maskedQuery(uri.getRawQuery());
        String maskedPath = maskedPath(uri.getRawPath());
        if (maskedQuery == null && maskedPath == null) {
            return request;
        }
        return new Masked(request.mutate().uri(with(uri, maskedPath != null ? maskedPath : uri.getRawPath(),
                maskedQuery != null ? maskedQuery : uri.getRawQuery())).build());
    }

    /** The request as masked: nothing but a mark for {@link #wasMasked}. */
    private static final class Masked extends ServerHttpRequestDecorator {
        Masked(ServerHttpRequest delegate) {
            super(delegate);
        }
    }

    /**
     * {@code uri} with its raw path and query replaced by string surgery, not a URI builder (which
     * re-validates every parameter and throws on {@code q=a=b}). The masked parts are the original
     * with pieces replaced by legal text, so they parse when the original did; should they not,
     * path and query are dropped (the request is refused anyway).
     */
    private static URI with(URI uri, String rawPath, String rawQuery) {
        String origin = uri.getScheme() == null ? "" : uri.getScheme() + "://" + uri.getRawAuthority();
        try {
            return URI.create(origin + rawPath + (rawQuery == null ? "" : "?" + rawQuery));
        } catch (IllegalArgumentException unexpected) {
            return URI.create(origin + "/");
        }
    }

    /** The raw path with every segment that holds a key masked, or {@code null} when there is none. */
    static String maskedPath(String rawPath) {
        if (rawPath == null || !holdsKey(rawPath)) {
            return null;
        }
        String[] segments = rawPath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (holdsKey(segments[i])) {
                segments[i] = MASK;
            }
        }
        return String.join("/", segments);
    }

    /**
     * The raw query with credential values and key-holding parts masked, or {@code null} when
     * there is nothing to mask.
     * Parts are separated by {@code &} or {@code ;} (some servers and proxies split on either); a
     * part's name is its first non-empty text between {@code =}s, decoded (so {@code %70assword}
     * and {@code =token=x} count: the latter is how Spring's own parser reads it).
     */
    static String maskedQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        // Runs on every request with a query: a clean one costs a scan and no allocation.
        StringBuilder masked = null;
        int start = 0;
        for (int i = 0; i <= rawQuery.length(); i++) {
            if (i < rawQuery.length() && rawQuery.charAt(i) != '&' && rawQuery.charAt(i) != ';') {
                continue;
            }
            int nameStart = start;
            while (nameStart < i && rawQuery.charAt(nameStart) == '=') {
                nameStart++;
            }
            int nameEnd = rawQuery.indexOf('=', nameStart);
            nameEnd = nameEnd < 0 || nameEnd > i ? i : nameEnd;
            boolean credential = nameEnd > nameStart && isCredentialName(rawQuery, nameStart, nameEnd);
            if (credential || holdsKey(rawQuery, start, i)) {
                if (masked == null) {
                    masked = new StringBuilder(rawQuery.length() + 8).append(rawQuery, 0, start);
                }
                if (credential) {
                    masked.append(rawQuery, start, nameEnd).append('=').append(MASK);
                } else {
                    masked.append(MASK); // the name itself may be the key
                }
            } else if (masked != null) {
                masked.append(rawQuery, start, i);
            }
            if (masked != null && i < rawQuery.length()) {
                masked.append(rawQuery.charAt(i));
            }
            start = i + 1;
        }
        return masked == null ? null : masked.toString();
    }

    /**
     * Whether {@code query[from, to)}, a raw name, names a credential. Plain ASCII is compared in
     * place; anything else (a {@code %} escape, raw non-ASCII) is decoded first, as a parser would.
     */
    private static boolean isCredentialName(String query, int from, int to) {
        for (int k = from; k < to; k++) {
            char c = query.charAt(k);
            if (c == '%' || c >= 0x80) {
                return CredentialsInQueryFilter.isCredentialName(decode(query.substring(from, to)));
            }
        }
        for (String name : CREDENTIAL_NAMES) {
            if (name.length() == to - from && query.regionMatches(true, from, name, 0, name.length())) {
                return true;
            }
        }
        return false;
    }

    /** Whether raw URL text holds a key, as written or percent-encoded; decodes only when it must (every request). */
    private static boolean holdsKey(String raw) {
        return holdsKey(raw, 0, raw.length());
    }

    /** As {@link #holdsKey(String)} for {@code raw[from, to)}; copies nothing unless it may hold a key. */
    private static boolean holdsKey(String raw, int from, int to) {
        int prefix = raw.indexOf(ApiKey.PREFIX, from);
        int escape = raw.indexOf('%', from);
        if ((prefix < 0 || prefix + ApiKey.PREFIX.length() > to) && (escape < 0 || escape >= to)) {
            return false;
        }
        String text = from == 0 && to == raw.length() ? raw : raw.substring(from, to);
        return ApiKey.appearsIn(text) || escape >= 0 && escape < to && ApiKey.appearsIn(decode(text));
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformedEscape) {
            return raw;
        }
    }
}
