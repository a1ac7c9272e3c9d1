package dev.namegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import org.springframework.web.server.handler.ResponseStatusExceptionHandler;

import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ShortHandlerChainTest {

    private final List<String> ran = new ArrayList<>();

    private WebFilter recording(String name) {
        return (exchange, chain) -> {
            ran.add(name);
            return chain.filter(exchange);
        };
    }

    private WebHttpHandlerBuilder builder(WebFilter... filters) {
        return WebHttpHandlerBuilder.webHandler(exchange -> {
            ran.add("handler");
            exchange.getResponse().setStatusCode(HttpStatus.ACCEPTED);
            return exchange.getResponse().setComplete();
        }).filters(list -> list.addAll(List.of(filters)));
    }

    @Test
    void theFiltersRunAsOneSequenceInTheirOrderAndThenTheHandler() {
        WebHttpHandlerBuilder builder = builder(recording("first"), recording("second"), recording("third"));

        new ShortHandlerChain().customize(builder);

        builder.filters(filters -> assertThat(filters).singleElement().isInstanceOf(ShortHandlerChain.FilterSequence.class));
        MockServerHttpResponse response = handle(builder.build());
        assertThat(ran).containsExactly("first", "second", "third", "handler");
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
    }

    @Test
    void aFilterThatAnswersEndsTheSequence() {
        WebFilter refusing = (exchange, chain) -> {
            ran.add("refusing");
            exchange.getResponse().setStatusCode(HttpStatus.TOO_MANY_REQUESTS);
            return exchange.getResponse().setComplete();
        };
        WebHttpHandlerBuilder builder = builder(recording("first"), refusing, recording("third"));

        new ShortHandlerChain().customize(builder);

        MockServerHttpResponse response = handle(builder.build());
        assertThat(ran).containsExactly("first", "refusing");
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
    }

    @Test
    void aFilterThatThrowsIsAnsweredByTheProblemHandlerAlone() {
        WebFilter throwing = (exchange, chain) -> {
            throw new IllegalStateException("a bug");
        };
        WebExceptionHandler other = new ResponseStatusExceptionHandler();
        WebHttpHandlerBuilder builder = builder(recording("first"), throwing)
                .exceptionHandlers(handlers -> handlers.addAll(List.of(new ProblemExceptionHandler(), other)));

        new ShortHandlerChain().customize(builder);

        builder.exceptionHandlers(handlers -> assertThat(handlers).singleElement().isInstanceOf(ProblemExceptionHandler.class));
        MockServerHttpResponse response = handle(builder.build());
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        assertThat(response.getHeaders().getContentType()).hasToString("application/problem+json");
    }

    @Test
    void withoutTheProblemHandlerTheExceptionHandlersStayAsTheyAre() {
        WebExceptionHandler other = new ResponseStatusExceptionHandler();
        WebHttpHandlerBuilder builder = builder(recording("only")).exceptionHandler(other);

        new ShortHandlerChain().customize(builder);

        builder.exceptionHandlers(handlers -> assertThat(handlers).containsExactly(other));
        builder.filters(filters -> assertThat(filters).singleElement().isNotInstanceOf(ShortHandlerChain.FilterSequence.class));
    }

    private static MockServerHttpResponse handle(HttpHandler handler) {
        MockServerHttpResponse response = new MockServerHttpResponse();
        StepVerifier.create(handler.handle(MockServerHttpRequest.get("/users/1").build(), response)).verifyComplete();
        return response;
    }
}
