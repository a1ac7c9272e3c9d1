package dev.namegate.auth;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;

/**
 * Masks credentials in the URL before the request reaches WebFlux, and marks the request so
 * {@link CredentialsInQueryFilter} refuses it: the value of every credential-named query
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
        StringBuilder masked = new StringBuilder(rawQuery.length() + 8);
        boolean changed = false;
        int start = 0;
        for (int i = 0; i <= rawQuery.length(); i++) {
            if (i < rawQuery.length() && rawQuery.charAt(i) != '&' && rawQuery.charAt(i) != ';') {
                continue;
            }
            String part = rawQuery.substring(start, i);
            int nameStart = 0;
            while (nameStart < part.length() && part.charAt(nameStart) == '=') {
                nameStart++;
            }
            int nameEnd = part.indexOf('=', nameStart);
            String rawName = part.substring(nameStart, nameEnd < 0 ? part.length() : nameEnd);
            if (!rawName.isEmpty() && CredentialsInQueryFilter.isCredentialName(decode(rawName))) {
                masked.append(part, 0, nameStart).append(rawName).append('=').append(MASK);
                changed = true;
            } else if (holdsKey(part)) {
                // the name itself may be the key
                masked.append(MASK);
                changed = true;
            } else {
                masked.append(part);
            }
            if (i < rawQuery.length()) {
                masked.append(rawQuery.charAt(i));
            }
            start = i + 1;
        }
        return changed ? masked.toString() : null;
    }

    /** Whether raw URL text holds a key, as written or percent-encoded; decodes only when it must (every request). */
    private static boolean holdsKey(String raw) {
        return ApiKey.appearsIn(raw) || raw.indexOf('%') >= 0 && ApiKey.appearsIn(decode(raw));
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformedEscape) {
            return raw;
        }
    }
}
