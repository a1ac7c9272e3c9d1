package dev.namegate.api;

import java.util.List;
import java.util.function.Function;

import org.springframework.core.Ordered;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.web.reactive.HandlerAdapter;
import org.springframework.web.reactive.HandlerResult;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.server.support.ServerResponseResultHandler;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * Runs the route table's handlers and writes their answers, as WebFlux's own adapter and result
 * handler would, with the same message writers and view resolvers. Those two pass every answer
 * on as a {@link HandlerResult}, which resolves a generic return type and makes a binding context
 * per request, and describe it with a string built per request: a few percent of a miss, for a
 * result only one of the dispatcher's result handlers ever takes. Having written the answer, it
 * returns no result, which the dispatcher reads as fully handled.
 */
final class RouteHandlerAdapter implements HandlerAdapter, Ordered {

    private final ServerResponse.Context context;

    RouteHandlerAdapter(ServerResponseResultHandler writers) {
        this.context = new ServerResponse.Context() {
            @Override
            public List<HttpMessageWriter<?>> messageWriters() {
                return writers.getMessageWriters();
            }

            @Override
            public List<ViewResolver> viewResolvers() {
                return writers.getViewResolvers();
            }
        };
    }

    @Override
    public boolean supports(Object handler) {
        return handler instanceof RouteTable.NamedHandler;
    }

    @Override
    @SuppressWarnings({ "unchecked", "rawtypes" })
    public Mono<HandlerResult> handle(ServerWebExchange exchange, Object handler) {
        ServerRequest request = exchange.getRequiredAttribute(RouterFunctions.REQUEST_ATTRIBUTE);
        // completes empty: nothing is left for a result handler
        return (Mono) write(exchange, request, (RouteTable.NamedHandler) handler);
    }

    /** Runs {@code handler} on {@code request} and writes its answer to {@code exchange}. */
    Mono<Void> write(ServerWebExchange exchange, ServerRequest request, HandlerFunction<ServerResponse> handler) {
        return handler.handle(request)
                .flatMap(response -> response.writeTo(exchange, context))
                // Holds the request's context here: every operator inside that asks for it (the
                // lookup's, WebClient's, the writer's) would otherwise walk the whole chain of
                // filters and dispatcher above, one interface call a step, several times a request.
                .contextWrite(Function.identity());
    }

    /** Before WebFlux's adapter for handler functions, which would take these handlers too. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
