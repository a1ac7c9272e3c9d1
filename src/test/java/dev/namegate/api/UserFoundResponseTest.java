package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import reactor.test.StepVerifier;

class UserFoundResponseTest {

    private static MockServerWebExchange written(UserFoundResponse response) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/7"));
        StepVerifier.create(response.writeTo(exchange, null)).verifyComplete();
        return exchange;
    }

    @Test
    void writesTheStatusTheHeadersItDeclaresAndTheBody() {
        byte[] json = UserHandler.userJson(7, "Zoë");
        UserFoundResponse response = new UserFoundResponse(MediaType.APPLICATION_JSON, json, "namegate; fwd=miss; stored");

        MockServerWebExchange exchange = written(response);

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(exchange.getResponse().getHeaders().toSingleValueMap())
                .isEqualTo(response.headers().toSingleValueMap())
                .containsEntry("Content-Type", "application/json")
                .containsEntry("Content-Length", Integer.toString(json.length))
                .containsEntry("Cache-Status", "namegate; fwd=miss; stored");
        StepVerifier.create(exchange.getResponse().getBodyAsString())
                .expectNext("{\"id\":7,\"name\":\"Zoë\"}").verifyComplete();
    }

    @Test
    void withoutACacheThereIsNoCacheStatus() {
        byte[] text = "Zoë".getBytes(StandardCharsets.UTF_8);

        MockServerWebExchange exchange = written(new UserFoundResponse(UserHandler.TEXT_UTF8, text, null));

        assertThat(exchange.getResponse().getHeaders().toSingleValueMap())
                .containsOnlyKeys("Content-Type", "Content-Length")
                .containsEntry("Content-Type", "text/plain;charset=UTF-8")
                .containsEntry("Content-Length", "4");
    }
}
