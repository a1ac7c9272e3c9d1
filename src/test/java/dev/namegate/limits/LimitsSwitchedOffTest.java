package dev.namegate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import dev.namegate.auth.KeyMint;
import dev.namegate.auth.KeyMint.MintedKey;

/**
 * {@code namegate.limits.enabled=false}, the benchmark switch: a key allowed one request and one
 * id gets many, without rate-limit headers; authentication still applies.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "namegate.warmup.lookups=0", "namegate.warmup.requests=0",
        "namegate.upstream.response-timeout=1s", "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
        "namegate.overload.enabled=false",
        "namegate.limits.enabled=false",
        "namegate.upstream.hedging.enabled=false", // one upstream call per request, to count them
})
class LimitsSwitchedOffTest {

    static final MintedKey TIGHT = KeyMint.mint("tight", new SecureRandom());
    static final MockWebServer upstream = started();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path keys = Files.createTempFile("namegate-keys", "");
        Files.writeString(keys, TIGHT.keysFileLine() + " rate=1 burst=1 ids-per-day=1\n");
        registry.add("namegate.upstream.base-urls", () -> "http://127.0.0.1:" + upstream.getPort());
        registry.add("namegate.auth.keys-file", keys::toString);
    }

    @LocalServerPort
    int port;

    @AfterAll
    static void stop() throws IOException {
        upstream.close();
    }

    @Test
    void aKeyAllowedOneRequestAndOneIdGetsMany() {
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
        for (int id = 1; id <= 5; id++) {
            client.get().uri("/users/" + id).header("Authorization", "Bearer " + TIGHT.key()).exchange()
                    .expectStatus().isOk()
                    .expectHeader().doesNotExist("RateLimit")
                    .expectBody(String.class).value(body -> assertThat(body).contains("\"name\":\"User "));
        }
        client.get().uri("/users/1").header("Authorization", "Bearer ng_nope").exchange()
                .expectStatus().isUnauthorized().expectBody().returnResult();
        assertThat(upstream.getRequestCount()).isEqualTo(5);
    }

    private static MockWebServer started() {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                        .body("{\"name\":\"User " + request.getTarget().substring(1) + "\"}").build();
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return server;
    }
}
