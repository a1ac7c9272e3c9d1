package dev.namegate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import reactor.core.publisher.Mono;

/** A problem encoded once answers byte for byte as one encoded for each request. */
class PreparedProblemTest {

    private static final String DETAIL = "The service is overloaded; retry later.";

    @Test
    void itsBodyIsTheEncodedProblemWithTheRequestsIdWhateverItsLength() {
        PreparedProblem problem = PreparedProblem.of(ProblemKind.OVERLOADED, DETAIL);

        for (String id : new String[] {RequestId.create(), RequestId.create(), "-", "0af7651916cd43dd"}) {
            assertThat(new String(problem.body(id), StandardCharsets.UTF_8))
                    .isEqualTo(new String(Problems.json(ProblemKind.OVERLOADED, DETAIL, id), StandardCharsets.UTF_8))
                    .contains("\"requestId\":\"" + id + "\"");
        }
    }

    @Test
    void writtenToAnExchangeItCarriesTheKindsStatusTypeAndTheExchangesId() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/1"));
        new RequestIdFilter().filter(exchange, PreparedProblem.of(ProblemKind.OVERLOADED, DETAIL)::write).block();

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(exchange.getResponse().getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(exchange.getResponse().getBodyAsString().block())
                .isEqualTo(new String(Problems.json(ProblemKind.OVERLOADED, DETAIL, RequestId.of(exchange)),
                        StandardCharsets.UTF_8))
                .contains("\"type\":\"https://namegate.dev/problems/overloaded\"", "\"status\":503");
        assertThat(RequestId.of(exchange)).matches("[0-9a-f]{32}");
    }

    @Test
    void aDetailHoldingThePlaceholderIsRefused() {
        assertThatThrownBy(() -> PreparedProblem.of(ProblemKind.OVERLOADED, "00000000000000000000000000000000"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nothingIsWrittenUntilTheAnswerIsSubscribed() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/1"));
        Mono<Void> answer = PreparedProblem.of(ProblemKind.OVERLOADED, DETAIL).write(exchange);

        assertThat(exchange.getResponse().isCommitted()).isFalse();
        answer.block();
        assertThat(exchange.getResponse().isCommitted()).isTrue();
    }
}
