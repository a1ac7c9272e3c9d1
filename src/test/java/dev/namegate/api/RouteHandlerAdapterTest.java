package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.server.support.ServerResponseResultHandler;

import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class RouteHandlerAdapterTest {

    private final RouteHandlerAdapter adapter = new RouteHandlerAdapter(writers());

    private static ServerResponseResultHandler writers() {
        ServerResponseResultHandler writers = new ServerResponseResultHandler();
        writers.setMessageWriters(ServerCodecConfigurer.create().getWriters());
        return writers;
    }

    private static HandlerFunction<ServerResponse> routed(HandlerFunction<ServerResponse> handler) {
        RouteTable table = RouteTable.builder().route(GET("/users/{id}"), handler).build();
        return table.route(request(MockServerWebExchange.from(MockServerHttpRequest.get("/users/7")))).block();
    }

    private static ServerRequest request(MockServerWebExchange exchange) {
        return ServerRequest.create(exchange, HandlerStrategies.withDefaults().messageReaders());
    }

    @Test
    void itTakesTheRouteTablesHandlersAndNoOthers() {
        HandlerFunction<ServerResponse> plain = request -> ServerResponse.ok().build();

        assertThat(adapter.supports(routed(plain))).isTrue();
        assertThat(adapter.supports(plain)).isFalse();
        assertThat(adapter.getOrder()).isLessThan(0);
    }

    @Test
    void itWritesTheAnswerWithTheWritersItWasGivenAndLeavesNoResult() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/7"));
        exchange.getAttributes().put(RouterFunctions.REQUEST_ATTRIBUTE, request(exchange));
        HandlerFunction<ServerResponse> handler = routed(request -> ServerResponse.status(HttpStatus.CREATED)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Ada")));

        StepVerifier.create(adapter.handle(exchange, handler)).verifyComplete();

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(exchange.getResponse().getBodyAsString().block()).isEqualTo("{\"name\":\"Ada\"}");
    }

    @Test
    void aHandlersFailureIsPassedOnForTheExceptionHandlers() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/7"));
        exchange.getAttributes().put(RouterFunctions.REQUEST_ATTRIBUTE, request(exchange));
        IllegalStateException failure = new IllegalStateException("boom");

        StepVerifier.create(adapter.handle(exchange, routed(request -> Mono.error(failure))))
                .verifyErrorSatisfies(error -> assertThat(error).isSameAs(failure));
    }
}
