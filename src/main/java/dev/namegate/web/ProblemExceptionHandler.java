package dev.namegate.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

import reactor.core.publisher.Mono;

/**
 * Turns whatever escapes the routes (no route, framework rejections, bugs) into a problem
 * response, ahead of Spring Boot's own error handler, which would answer with its own JSON
 * shape. Nothing of the exception reaches the client.
 */
@Component
@Order(-2)
public class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(error);
        }
        exchange.getResponse().getHeaders().remove(HttpHeaders.CONTENT_TYPE);
        if (error instanceof ResponseStatusException rse) {
            HttpStatusCode status = rse.getStatusCode();
            exchange.getResponse().getHeaders().addAll(rse.getHeaders());
            return switch (status.value()) {
                case 404 -> Problems.write(exchange, ProblemKind.NOT_FOUND, "There is nothing at this path.");
                case 405 -> Problems.write(exchange, ProblemKind.METHOD_NOT_ALLOWED, "This path does not allow that method.");
                case 406 -> Problems.write(exchange, ProblemKind.NOT_ACCEPTABLE, "No acceptable representation.");
                default -> status.is4xxClientError()
                        ? Problems.write(exchange, ProblemKind.BAD_REQUEST, status, "The request was rejected.")
                        : internalError(exchange, error);
            };
        }
        return internalError(exchange, error);
    }

    private Mono<Void> internalError(ServerWebExchange exchange, Throwable error) {
        RequestId.withCorrelation(LOG.atError().addKeyValue("requestId", RequestId.of(exchange)), exchange).setCause(error)
                .log("unexpected error [request={}]", RequestId.of(exchange));
        return Problems.write(exchange, ProblemKind.INTERNAL_ERROR, "Something went wrong on our side.");
    }
}
