package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.server.support.ServerResponseResultHandler;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;

import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class RoutesBeforeDispatcherTest {

    private final AtomicInteger handled = new AtomicInteger();
    private final AtomicInteger passedOn = new AtomicInteger();
    private final WebFilterChain dispatcher = exchange -> {
        passedOn.incrementAndGet();
        return Mono.empty();
    };
    private final RoutesBeforeDispatcher filter = new RoutesBeforeDispatcher(
            RouteTable.builder().route(GET("/users/{id}"), request -> {
                handled.incrementAndGet();
                return ServerResponse.status(HttpStatus.ACCEPTED).bodyValue(request.pathVariable("id"));
            }).build(),
            ServerCodecConfigurer.create().getReaders(), new RouteHandlerAdapter(writers()));

    private static ServerResponseResultHandler writers() {
        ServerResponseResultHandler writers = new ServerResponseResultHandler();
        writers.setMessageWriters(ServerCodecConfigurer.create().getWriters());
        return writers;
    }

    @Test
    void aMatchedRouteIsAnsweredHereWithWhatTheRouterMappingWouldHaveLeftInTheExchange() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/7"));
        ServerRequestObservationContext observation = new ServerRequestObservationContext(exchange.getRequest(),
                exchange.getResponse(), exchange.getAttributes());
        exchange.getAttributes().put(ServerRequestObservationContext.CURRENT_OBSERVATION_CONTEXT_ATTRIBUTE, observation);

        StepVerifier.create(filter.filter(exchange, dispatcher)).verifyComplete();

        assertThat(handled).hasValue(1);
        assertThat(passedOn).hasValue(0);
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(exchange.getResponse().getBodyAsString().block()).isEqualTo("7");
        Map<String, Object> attributes = exchange.getAttributes();
        assertThat(attributes.get(RouterFunctions.REQUEST_ATTRIBUTE)).isInstanceOf(ServerRequest.class);
        assertThat(attributes.get(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE)).isInstanceOf(RouteTable.NamedHandler.class);
        assertThat(attributes.get(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE)).asString().isEqualTo("/users/{id}");
        assertThat(attributes.get(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE)).isInstanceOf(PathPattern.class);
        assertThat(attributes.get(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE)).asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsExactly(Map.entry("id", "7"));
        assertThat(observation.getPathPattern()).isEqualTo("/users/{id}");
    }

    @Test
    void anotherPathGoesOnToTheDispatcherUnanswered() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/readyz"));

        StepVerifier.create(filter.filter(exchange, dispatcher)).verifyComplete();

        assertThat(handled).hasValue(0);
        assertThat(passedOn).hasValue(1);
        assertThat(exchange.getResponse().getStatusCode()).isNull();
        assertThat(exchange.getAttributes()).doesNotContainKey(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE);
    }

    @Test
    void aCorsPreflightGoesOnToTheDispatcherThatAnswersThem() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.options("/users/7")
                .header(HttpHeaders.ORIGIN, "https://elsewhere.example")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET"));

        StepVerifier.create(filter.filter(exchange, dispatcher)).verifyComplete();

        assertThat(handled).hasValue(0);
        assertThat(passedOn).hasValue(1);
    }

    @Test
    void itRunsAfterEveryOtherFilter() {
        assertThat(filter.getOrder()).isEqualTo(Ordered.LOWEST_PRECEDENCE);
    }
}
