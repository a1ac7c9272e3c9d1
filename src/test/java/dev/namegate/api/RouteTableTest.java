package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import reactor.core.publisher.Mono;

class RouteTableTest {

    private static final HandlerFunction<ServerResponse> USER = request -> ServerResponse.ok().build();
    private static final HandlerFunction<ServerResponse> NOT_ALLOWED = request -> ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED).build();
    private static final HandlerFunction<ServerResponse> DOCUMENT = request -> ServerResponse.ok().build();

    private static ServerRequest request(MockServerHttpRequest request) {
        return ServerRequest.create(MockServerWebExchange.from(request), HandlerStrategies.withDefaults().messageReaders());
    }

    private static RouteTable table(HandlerFilterFunction<ServerResponse, ServerResponse> filter) {
        RouteTable.Builder users = RouteTable.builder()
                .route(GET("/users/{id}"), USER)
                .route(path("/users/{id}"), NOT_ALLOWED);
        return RouteTable.builder()
                .filtered(filter, users)
                .route(GET("/openapi.yaml"), DOCUMENT)
                .build();
    }

    @Test
    void theFirstRouteWhosePredicateMatchesHandlesTheRequestWithItsPathVariables() {
        RouteTable table = table((request, next) -> next.handle(request));

        ServerRequest get = request(MockServerHttpRequest.get("/users/7").build());
        assertThat(table.route(get).block()).isNotNull();
        assertThat(get.pathVariable("id")).isEqualTo("7");

        ServerResponse put = table.route(request(MockServerHttpRequest.put("/users/7").build()))
                .flatMap(handler -> handler.handle(request(MockServerHttpRequest.put("/users/7").build()))).block();
        assertThat(put.statusCode()).isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
    }

    @Test
    void aHandlerIsNamedByItsRouteTheSameStringEachTime() {
        RouteTable table = table((request, next) -> next.handle(request));

        HandlerFunction<ServerResponse> handler = table.route(request(MockServerHttpRequest.get("/users/7").build())).block();

        assertThat(handler).hasToString(GET("/users/{id}").toString());
        assertThat(handler.toString()).isSameAs(handler.toString());
    }

    @Test
    void aRequestNoRouteMatchesFindsNoHandler() {
        assertThat(table((request, next) -> next.handle(request))
                .route(request(MockServerHttpRequest.get("/elsewhere").build())).block()).isNull();
    }

    @Test
    void theFilterRunsBeforeTheFilteredRoutesOnlyAndCanAnswerInsteadOfThem() {
        AtomicInteger filtered = new AtomicInteger();
        RouteTable table = table((request, next) -> {
            filtered.incrementAndGet();
            return ServerResponse.status(HttpStatus.UNAUTHORIZED).build();
        });

        ServerRequest user = request(MockServerHttpRequest.get("/users/7").build());
        assertThat(table.route(user).flatMap(handler -> handler.handle(user)).block().statusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        ServerRequest document = request(MockServerHttpRequest.get("/openapi.yaml").build());
        assertThat(table.route(document).flatMap(handler -> handler.handle(document)).block().statusCode())
                .isEqualTo(HttpStatus.OK);
        assertThat(filtered).hasValue(1);
    }

    @Test
    void aVisitorSeesEveryRouteInOrder() {
        List<String> seen = new ArrayList<>();
        table((request, next) -> next.handle(request)).accept(new RouterFunctions.Visitor() {
            @Override
            public void route(RequestPredicate predicate, HandlerFunction<?> handlerFunction) {
                seen.add(predicate.toString());
            }

            @Override
            public void startNested(RequestPredicate predicate) {
            }

            @Override
            public void endNested(RequestPredicate predicate) {
            }

            @Override
            public void resources(Function<ServerRequest, Mono<Resource>> lookupFunction) {
            }

            @Override
            public void attributes(Map<String, Object> attributes) {
            }

            @Override
            public void unknown(RouterFunction<?> routerFunction) {
            }
        });
        assertThat(seen).hasSize(3);
        assertThat(seen.get(0)).contains("GET").contains("/users/{id}");
        assertThat(seen.get(2)).contains("/openapi.yaml");
    }

    @Test
    void aTableWithoutRoutesIsRefused() {
        assertThatThrownBy(() -> RouteTable.builder().build()).isInstanceOf(IllegalStateException.class);
    }
}
