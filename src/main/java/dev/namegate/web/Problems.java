package dev.namegate.web;

import java.util.function.Consumer;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * Builds RFC 9457 {@code application/problem+json} answers. The detail is always our own text:
 * never an exception message or an upstream body.
 */
public final class Problems {

    private Problems() {
    }

    public static ProblemDetail detail(ProblemKind kind, String detail, String requestId) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(kind.status(), detail);
        problem.setType(kind.type());
        problem.setTitle(kind.title());
        problem.setProperty("requestId", requestId);
        return problem;
    }

    /** The problem's JSON body, for a refusal written below WebFlux (straight to the connection). */
    public static byte[] json(ProblemKind kind, String detail, String requestId) {
        return ProblemJson.encode(detail(kind, detail, requestId));
    }

    /** A problem answer for a functional handler or filter; {@code headers} may add e.g. Retry-After. */
    public static Mono<ServerResponse> respond(ServerRequest request, ProblemKind kind, String detail,
            Consumer<HttpHeaders> headers) {
        ProblemDetail body = detail(kind, detail, RequestId.of(request.exchange()));
        return ServerResponse.status(kind.status())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .headers(headers)
                .bodyValue(body);
    }

    public static Mono<ServerResponse> respond(ServerRequest request, ProblemKind kind, String detail) {
        return respond(request, kind, detail, headers -> { });
    }

    /** The same answer written straight to an exchange, for {@code WebFilter}s that run before routing. */
    public static Mono<Void> write(ServerWebExchange exchange, ProblemKind kind, String detail) {
        return write(exchange, kind, kind.status(), detail);
    }

    /** As {@link #write(ServerWebExchange, ProblemKind, String)}, with a status other than the kind's usual one. */
    public static Mono<Void> write(ServerWebExchange exchange, ProblemKind kind, HttpStatusCode status, String detail) {
        ProblemDetail body = detail(kind, detail, RequestId.of(exchange));
        body.setStatus(status.value());
        return writeJson(exchange, status, ProblemJson.encode(body));
    }

    /** Writes an encoded problem as the answer to {@code exchange}; here and in {@link PreparedProblem}. */
    static Mono<Void> writeJson(ServerWebExchange exchange, HttpStatusCode status, byte[] json) {
        var response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(json)));
    }
}
