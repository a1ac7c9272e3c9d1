package dev.namegate.api;

import java.util.List;
import java.util.Map;

import org.springframework.core.Ordered;
import org.springframework.http.codec.HttpMessageReader;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;

import reactor.core.publisher.Mono;

import dev.namegate.web.NamedWebFilter;

/**
 * The last filter: answers a request one of the API's routes matches, and passes every other
 * (the health paths, a CORS pre-flight) on to WebFlux's dispatcher. The dispatcher finds a
 * handler through a Flux over its handler mappings, a concatMap and a few more operators for
 * every request, where the route table needs its predicates' tests. The request's attributes are
 * those WebFlux's router-function mapping sets, so the metrics' {@code uri} and the handlers
 * read the same.
 */
final class RoutesBeforeDispatcher extends NamedWebFilter implements Ordered {

    private final RouteTable routes;
    private final List<HttpMessageReader<?>> readers;
    private final RouteHandlerAdapter writer;

    RoutesBeforeDispatcher(RouteTable routes, List<HttpMessageReader<?>> readers, RouteHandlerAdapter writer) {
        this.routes = routes;
        this.readers = List.copyOf(readers);
        this.writer = writer;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (CorsUtils.isPreFlightRequest(exchange.getRequest())) {
            return chain.filter(exchange);
        }
        ServerRequest request = ServerRequest.create(exchange, readers);
        HandlerFunction<ServerResponse> handler = routes.handlerFor(request);
        if (handler == null) {
            return chain.filter(exchange);
        }
        exposeMatch(exchange.getAttributes(), request, handler);
        return writer.write(exchange, request, handler);
    }

    /** What {@code RouterFunctionMapping} leaves in the exchange for a handler it found. */
    private static void exposeMatch(Map<String, Object> attributes, ServerRequest request,
            HandlerFunction<ServerResponse> handler) {
        attributes.put(RouterFunctions.REQUEST_ATTRIBUTE, request);
        attributes.put(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE, handler);
        if (attributes.get(RouterFunctions.MATCHING_PATTERN_ATTRIBUTE) instanceof PathPattern pattern) {
            attributes.put(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, pattern);
            ServerRequestObservationContext.findCurrent(attributes)
                    .ifPresent(context -> context.setPathPattern(pattern.toString()));
        }
        Object variables = attributes.get(RouterFunctions.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        if (variables != null) {
            attributes.put(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE, variables);
        }
    }

    /** After every other filter: it ends the chain for the requests it answers. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
