package dev.namegate.api;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.CollectionUtils;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * The 200 answer of a lookup, written straight to the exchange. The generic response builder
 * copies its headers twice and passes a body that is already bytes through the codecs: about 6%
 * of a cache hit's CPU in the profile (docs/benchmarks.md).
 */
final class UserFoundResponse implements ServerResponse {

    private static final MultiValueMap<String, ResponseCookie> NO_COOKIES =
            CollectionUtils.unmodifiableMultiValueMap(new LinkedMultiValueMap<>());

    private final MediaType contentType;
    private final byte[] body;
    /** {@code null} when the cache had no part in the answer (it is off). */
    private final String cacheStatus;

    UserFoundResponse(MediaType contentType, byte[] body, String cacheStatus) {
        this.contentType = contentType;
        this.body = body;
        this.cacheStatus = cacheStatus;
    }

    @Override
    public HttpStatusCode statusCode() {
        return HttpStatus.OK;
    }

    /** What {@link #writeTo} sets; made on demand, as the server itself never asks. */
    @Override
    public HttpHeaders headers() {
        HttpHeaders headers = new HttpHeaders();
        setHeaders(headers);
        return HttpHeaders.readOnlyHttpHeaders(headers);
    }

    @Override
    public MultiValueMap<String, ResponseCookie> cookies() {
        return NO_COOKIES;
    }

    @Override
    public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.OK);
        setHeaders(response.getHeaders());
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    private void setHeaders(HttpHeaders headers) {
        headers.setContentType(contentType);
        headers.setContentLength(body.length);
        if (cacheStatus != null) {
            headers.set(UserHandler.CACHE_STATUS, cacheStatus);
        }
    }
}
