package dev.namegate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.namegate.auth.KeyMint;
import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;

/**
 * {@code namegate.limits.enabled=false}, the benchmark switch: a key allowed one request and one
 * id gets many, without rate-limit headers; authentication still applies.
 */
@ServerTest
@TestPropertySource(properties = {
        "namegate.upstream.connect-timeout=1s",
        "namegate.upstream.response-timeout=1s", "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
        "namegate.limits.enabled=false",
        "namegate.upstream.hedging.enabled=false", // one upstream call per request, to count them
})
class LimitsSwitchedOffTest {

    static final MintedKey TIGHT = KeyMint.mint("tight", new SecureRandom());

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(
            request -> MockUpstream.name("User " + request.getTarget().substring(1)));

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path keys = Files.createTempFile("namegate-keys", "");
        keys.toFile().deleteOnExit();
        Files.writeString(keys, TIGHT.keysFileLine() + " rate=1 burst=1 ids-per-day=1\n");
        registry.add("namegate.auth.keys-file", keys::toString);
    }

    @LocalServerPort
    int port;

    @Test
    void aKeyAllowedOneRequestAndOneIdGetsMany() {
        WebTestClient client = OpenApiContract.client(port);
        for (int id = 1; id <= 5; id++) {
            client.get().uri("/users/" + id).header("Authorization", "Bearer " + TIGHT.key()).exchange()
                    .expectStatus().isOk()
                    .expectHeader().doesNotExist("RateLimit")
                    .expectBody().jsonPath("$.name").isEqualTo("User " + id);
        }
        client.get().uri("/users/1").header("Authorization", "Bearer ng_nope").exchange()
                .expectStatus().isUnauthorized().expectBody().returnResult();
        assertThat(upstream.requestCount()).isEqualTo(5);
    }
}
