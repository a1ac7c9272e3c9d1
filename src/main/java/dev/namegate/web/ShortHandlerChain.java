package dev.namegate.web;

import java.util.List;

import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

import reactor.core.publisher.Mono;

/**
 * Shortens what the public port wraps around every request: its {@code WebFilter}s run as one
 * sequence, and {@link ProblemExceptionHandler} is its only exception handler. WebFlux's chain
 * puts a deferral and a checkpoint around each filter, and each exception handler adds two
 * operators; all of them are subscribed, requested and completed on every request though they
 * act only on an error. Spring Boot's error handler and WebFlux's response-status handler come
 * after ours, which answers every error it can still answer; an error after the answer was
 * committed is logged by WebFlux's adapter either way.
 */
@Component
class ShortHandlerChain implements WebHttpHandlerBuilderCustomizer {

    @Override
    public void customize(WebHttpHandlerBuilder builder) {
        builder.filters(filters -> {
            if (filters.size() > 1) {
                WebFilter sequence = new FilterSequence(filters);
                filters.clear();
                filters.add(sequence);
            }
        });
        builder.exceptionHandlers(handlers -> {
            if (handlers.stream().anyMatch(ProblemExceptionHandler.class::isInstance)) {
                handlers.removeIf(handler -> !(handler instanceof ProblemExceptionHandler));
            }
        });
    }

    /** Filters in their order, each calling the next directly. */
    static final class FilterSequence extends NamedWebFilter {
        private final WebFilter[] filters;

        FilterSequence(List<WebFilter> filters) {
            this.filters = filters.toArray(WebFilter[]::new);
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
            return new Step(0, chain).filter(exchange);
        }

        private final class Step implements WebFilterChain {
            private final int index;
            private final WebFilterChain end;

            Step(int index, WebFilterChain end) {
                this.index = index;
                this.end = end;
            }

            @Override
            public Mono<Void> filter(ServerWebExchange exchange) {
                return index < filters.length ? filters[index].filter(exchange, new Step(index + 1, end)) : end.filter(exchange);
            }
        }
    }
}
