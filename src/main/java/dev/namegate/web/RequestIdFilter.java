package dev.namegate.web;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Gives every exchange its request id before anything else runs, so that even framework errors
 * and early rejections carry {@code X-Request-Id}; a caller's acceptable {@code X-Request-Id} is
 * kept as the correlation id and echoed in {@code X-Correlation-Id} (see {@link RequestId}). Notes
 * its {@link Arrival} too, before the admission gate can make it wait.
 */
@Component
@Order(FilterOrder.REQUEST_ID)
public class RequestIdFilter extends NamedWebFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long arrived = Arrival.arrivedNanos(exchange, System.nanoTime());
        String id = RequestId.create();
        String correlation = RequestId.correlation(exchange.getRequest().getHeaders().getFirst(RequestId.HEADER));
        RequestId.stamp(exchange, id, correlation, arrived);
        exchange.getResponse().getHeaders().set(RequestId.HEADER, id);
        if (correlation != null) {
            exchange.getResponse().getHeaders().set(RequestId.CORRELATION_HEADER, correlation);
        }
        return chain.filter(exchange);
    }
}
