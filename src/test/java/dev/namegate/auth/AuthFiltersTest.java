package dev.namegate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.MockServerConfigurer;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.web.RequestId;
import dev.namegate.web.RequestIdFilter;

class AuthFiltersTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private MintedKey alice;
    private MintedKey revoked;
    private KeyRegistry registry;
    private final AtomicReference<Client> seenByHandler = new AtomicReference<>();
    private WebTestClient client;

    @BeforeEach
    void setUp() throws IOException {
        alice = KeyMint.mint("alice", RANDOM);
        revoked = KeyMint.mint("mallory", RANDOM);
        Path keys = Files.writeString(dir.resolve("keys"),
                alice.keysFileLine() + " rate=5\n" + revoked.keysFileLine() + "\n");
        registry = new KeyRegistry(new AuthProperties(keys, Duration.ofSeconds(2), 0.5), new SimpleMeterRegistry());
        Files.writeString(keys, alice.keysFileLine() + " rate=5\n");
        registry.reloadNow();
        client = WebTestClient
                .bindToRouterFunction(RouterFunctions
                        .route(GET("/users/{id}"), request -> {
                            seenByHandler.set(BearerAuthentication.client(request).orElse(null));
                            return ServerResponse.ok().bodyValue("John");
                        })
                        .filter(new BearerAuthentication(registry)))
                .webFilter(new RequestIdFilter(), new CredentialsInQueryFilter())
                .apply(new MockServerConfigurer() {
                    @Override
                    public void beforeServerCreated(WebHttpHandlerBuilder builder) {
                        builder.httpHandlerDecorator(new QueryCredentialMasking());
                    }
                })
                .build();
    }

    @Test
    void goodKeyReachesTheHandlerWithTheClient() {
        client.get().uri("/users/1").header(HttpHeaders.AUTHORIZATION, "Bearer " + alice.key())
                .exchange()
                .expectStatus().isOk()
                .expectBody(String.class).isEqualTo("John");

        assertThat(seenByHandler.get()).isNotNull();
        assertThat(seenByHandler.get().id()).isEqualTo(new ClientId("alice"));
        assertThat(seenByHandler.get().limits().ratePerSecond()).hasValue(5.0);
    }

    @ParameterizedTest
    @ValueSource(strings = { "bearer", "BEARER", "bEaReR" })
    void schemeIsCaseInsensitive(String scheme) {
        client.get().uri("/users/1").header(HttpHeaders.AUTHORIZATION, scheme + " " + alice.key())
                .exchange()
                .expectStatus().isOk().expectBody().returnResult();
    }

    @Test
    void missingHeaderIsAChallengeWithoutError() {
        client.get().uri("/users/1")
                .exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"namegate\"")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://namegate.dev/problems/unauthorized")
                .jsonPath("$.status").isEqualTo(401)
                .jsonPath("$.detail").isEqualTo("Send the API key in the header 'Authorization: Bearer <key>'.")
                .jsonPath("$.requestId").isNotEmpty();
        assertThat(seenByHandler.get()).isNull();
    }

    @Test
    void otherSchemeIsTreatedAsMissingBearerCredentials() {
        client.get().uri("/users/1").header(HttpHeaders.AUTHORIZATION, "Basic YWxpY2U6MTIz")
                .exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"namegate\"").expectBody().returnResult();
    }

    @Test
    void malformedBadChecksumUnknownAndRevokedKeysGetIdenticalAnswers() {
        String malformed = "Bearer 123";
        String badChecksum = "Bearer " + changeLastCharacter(alice.key());
        String unknown = "Bearer " + KeyMint.mint("alice", RANDOM).key();
        String revokedKey = "Bearer " + revoked.key();
        String emptyToken = "Bearer";

        List<byte[]> bodies = List.of(malformed, badChecksum, unknown, revokedKey, emptyToken).stream()
                .map(this::refusedBody)
                .toList();

        // identical but for the request id, which is every request's own
        for (byte[] body : bodies) {
            assertThat(withoutRequestId(body)).isEqualTo(withoutRequestId(bodies.get(0)));
        }
        assertThat(new String(bodies.get(0))).contains("\"status\":401").contains("not valid");
        assertThat(seenByHandler.get()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "password=x", "api_key=x", "p=123", "PassWord=x", "u=1&token=x", "access_token=",
            "%70assword=x", "apikey=x", "KEY=x" })
    void credentialsInQueryAreRefusedWith400(String query) {
        // URI.create: the query goes out exactly as written (a URI template would re-encode '%').
        client.get().uri(URI.create("/users/1?" + query)).header(HttpHeaders.AUTHORIZATION, "Bearer " + alice.key())
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().exists(RequestId.HEADER)
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://namegate.dev/problems/credentials-in-query")
                .jsonPath("$.status").isEqualTo(400)
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("Authorization: Bearer <key>"));
        assertThat(seenByHandler.get()).isNull();
    }

    @Test
    void queryCredentialsAreRefusedBeforeAuthentication() {
        client.get().uri("/users/1?token=x")
                .exchange()
                .expectStatus().isBadRequest().expectBody().returnResult();
    }

    @Test
    void queryCredentialsAreRefusedOnEveryPath() {
        client.get().uri("/anything?password=x")
                .exchange()
                .expectStatus().isBadRequest().expectBody().returnResult();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/users/1?x-api-key=%s", "/users/%s", "/users/1/%s", "/users/1;k=%s", "/users/1?q=%s",
            "/users/1?%s", "/users/1?%s=1", "/users/1?q=Bearer%%20%s", "/users/1?a=1&q=x%s" })
    void aKeyAnywhereInThePathOrQueryIsALeakedKeyEvenWithAValidHeader(String template) {
        client.get().uri(URI.create(String.format(template, alice.key())))
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + alice.key())
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/credentials-in-query");
        assertThat(seenByHandler.get()).isNull();
    }

    @Test
    void aMistypedKeyInTheQueryIsJustText() {
        // without a valid checksum it is not a key, and the API ignores other query parameters
        client.get().uri(URI.create("/users/1?q=" + changeLastCharacter(alice.key())))
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + alice.key())
                .exchange()
                .expectStatus().isOk().expectBody().returnResult();
    }

    @Test
    void otherQueryParametersPass() {
        client.get().uri("/users/1?pretty=true&keyword=x").header(HttpHeaders.AUTHORIZATION, "Bearer " + alice.key())
                .exchange()
                .expectStatus().isOk().expectBody().returnResult();
    }

    private byte[] refusedBody(String authorization) {
        return client.get().uri("/users/1")
                .header(HttpHeaders.AUTHORIZATION, authorization)
                .header(RequestId.HEADER, "same-id")
                .exchange()
                .expectStatus().isEqualTo(HttpStatus.UNAUTHORIZED)
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE,
                        "Bearer realm=\"namegate\", error=\"invalid_token\"")
                .expectBody().returnResult().getResponseBodyContent();
    }

    private static String withoutRequestId(byte[] body) {
        return new String(body).replaceAll("\"requestId\":\"[0-9a-f]{32}\"", "\"requestId\":\"\"");
    }

    private static String changeLastCharacter(String key) {
        char last = key.charAt(key.length() - 1);
        return key.substring(0, key.length() - 1) + (last == '0' ? '1' : '0');
    }
}
