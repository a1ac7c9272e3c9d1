package dev.namegate.api;

import java.util.ArrayList;
import java.util.List;

import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import reactor.core.publisher.Mono;

/**
 * Routes tried in order: the first whose predicate matches handles the request. Written by hand
 * because {@code RouterFunctions.Builder} finds the route through a Flux and a concatMap, and
 * {@code and} through a switchIfEmpty per route, built anew for every request; here a request
 * costs its predicates' tests and one {@code Mono.just}. Filters are applied to the handlers once,
 * when the table is built.
 */
final class RouteTable implements RouterFunction<ServerResponse> {

    private record Route(RequestPredicate predicate, HandlerFunction<ServerResponse> handler) {
    }

    /**
     * A handler named by its route, once: the dispatcher puts the handler's {@code toString} in a
     * description on every request, and a lambda's builds a new string from its class name and
     * identity hash each time.
     */
    record NamedHandler(HandlerFunction<ServerResponse> handler, String name)
            implements HandlerFunction<ServerResponse> {

        @Override
        public Mono<ServerResponse> handle(ServerRequest request) {
            return handler.handle(request);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final List<Route> routes;

    private RouteTable(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public Mono<HandlerFunction<ServerResponse>> route(ServerRequest request) {
        HandlerFunction<ServerResponse> handler = handlerFor(request);
        return handler == null ? Mono.empty() : Mono.just(handler);
    }

    /** The handler of the first route whose predicate matches, or {@code null}. */
    HandlerFunction<ServerResponse> handlerFor(ServerRequest request) {
        for (Route route : routes) {
            if (route.predicate().test(request)) {
                return route.handler();
            }
        }
        return null;
    }

    @Override
    public void accept(RouterFunctions.Visitor visitor) {
        routes.forEach(route -> visitor.route(route.predicate(), route.handler()));
    }

    /** Mutable, single-use; {@link #build()} copies. */
    static final class Builder {
        private final List<Route> routes = new ArrayList<>();

        /** Adds a route after those added before. */
        Builder route(RequestPredicate predicate, HandlerFunction<ServerResponse> handler) {
            routes.add(new Route(predicate, handler));
            return this;
        }

        /** Adds every route of {@code group}, each handler behind {@code filter}. */
        Builder filtered(HandlerFilterFunction<ServerResponse, ServerResponse> filter, Builder group) {
            group.routes.forEach(route -> routes.add(new Route(route.predicate(), filter.apply(route.handler()))));
            return this;
        }

        RouteTable build() {
            if (routes.isEmpty()) {
                throw new IllegalStateException("a route table needs a route");
            }
            return new RouteTable(routes.stream()
                    .map(route -> new Route(route.predicate(), new NamedHandler(route.handler(), route.predicate().toString())))
                    .toList());
        }
    }
}
