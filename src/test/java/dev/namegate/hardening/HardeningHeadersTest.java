package dev.namegate.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import mockwebserver3.MockResponse;

import dev.namegate.NamegateApplication;
import dev.namegate.auth.KeyMint;
import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.TestKeys;

/**
 * Every kind of answer carries the same hardening headers, whatever is switched off: each kind
 * from a service with the limits on and from one with them off (the 429s only with them on).
 * Not here, for what they would cost to provoke: 500, 504 and the overloaded 503s (load shedding,
 * a full replica); the same filter writes their headers first.
 */
class HardeningHeadersTest {

    static final Map<String, String> HARDENING = Map.of(
            "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'",
            "Cache-Control", "no-store",
            "X-Content-Type-Options", "nosniff");

    static final SecureRandom RANDOM = new SecureRandom();
    /** Allowed one request, then refused for a long time: the 429 of the token bucket. */
    static final MintedKey TIGHT = KeyMint.mint("tight", RANDOM);
    /** Allowed one distinct id: the 429 of the quota. */
    static final MintedKey ONE_ID = KeyMint.mint("one-id", RANDOM);

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> switch (request.getTarget()) {
        case "/999" -> MockUpstream.status(500, "User not exists.");
        // a 200 without a name breaks the contract: our 502 upstream-failed
        case "/502" -> new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                .body("{\"nom\":\"John\"}").build();
        // a Retry-After beyond the deadline: our 503 upstream-unavailable
        case "/503" -> new MockResponse.Builder().code(429).setHeader("Retry-After", "30").build();
        default -> MockUpstream.name("John");
    });

    static ConfigurableApplicationContext limitsOn;
    static ConfigurableApplicationContext limitsOff;

    @BeforeAll
    static void start() {
        String keys = keysFile();
        limitsOn = start(keys, true);
        limitsOff = start(keys, false);
    }

    private static ConfigurableApplicationContext start(String keysFile, boolean limits) {
        return new SpringApplicationBuilder(NamegateApplication.class).run(
                "--server.port=0", "--management.server.port=0",
                "--namegate.upstream.base-urls=" + upstream.baseUrl(), "--namegate.auth.keys-file=" + keysFile,
                "--namegate.warmup.lookups=0", "--namegate.warmup.requests=0", "--namegate.warmup.probes=0", "--namegate.overload.enabled=false",
                "--namegate.upstream.response-timeout=1s", "--namegate.upstream.attempt-timeout=1500ms",
                "--namegate.upstream.deadline=5s", "--namegate.limits.enabled=" + limits);
    }

    private static String keysFile() {
        try {
            Path file = Files.createTempFile("namegate-hardening-keys", "");
            file.toFile().deleteOnExit();
            Files.writeString(file, TestKeys.CLIENT.keysFileLine() + " " + TestKeys.UNLIMITED + "\n"
                    + TIGHT.keysFileLine() + " rate=0.001 burst=1\n"
                    + ONE_ID.keysFileLine() + " ids-per-day=1\n");
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        limitsOn.close();
        limitsOff.close();
    }

    /**
     * One request per kind of answer, the status and problem type it must get, and what must
     * happen first (spend a bucket, fail keys, use the quota).
     */
    enum Answer {
        OK(200, null, "/users/1", TestKeys.bearer()),
        OPENAPI_DOCUMENT(200, null, "/openapi.yaml", null),
        LIVENESS_PROBE(200, null, "/livez", null),
        READINESS_PROBE(200, null, "/readyz", null),
        CREDENTIALS_IN_QUERY(400, "credentials-in-query", "/users/1?token=x", TestKeys.bearer()),
        INVALID_ID(400, "invalid-id", "/users/abc", TestKeys.bearer()),
        UNAUTHORIZED(401, "unauthorized", "/users/1", null),
        USER_NOT_FOUND(404, "user-not-found", "/users/999", TestKeys.bearer()),
        NO_SUCH_PATH(404, "not-found", "/nothing-here", null),
        METHOD_NOT_ALLOWED(405, "method-not-allowed", "/users/1", TestKeys.bearer()) {
            @Override
            HttpMethod method() {
                return HttpMethod.POST;
            }
        },
        NOT_ACCEPTABLE(406, "not-acceptable", "/users/1", TestKeys.bearer()) {
            @Override
            String accept() {
                return "image/png";
            }
        },
        RATE_LIMITED(429, "rate-limited", "/users/1", "Bearer " + TIGHT.key()) {
            @Override
            void prepare(WebTestClient client) {
                send(client, this); // spends the bucket of one
            }
        },
        AUTHENTICATION_THROTTLED(429, "authentication-throttled", "/users/1", "Bearer " + unknownKey()) {
            @Override
            void prepare(WebTestClient client) {
                for (int i = 0; i < 10; i++) { // the default max-failures: this address is throttled
                    client.get().uri("/users/1").header(HttpHeaders.AUTHORIZATION, "Bearer " + unknownKey())
                            .exchange().expectStatus().isUnauthorized().expectBody().returnResult();
                }
            }
        },
        QUOTA_EXCEEDED(429, "quota-exceeded", "/users/2", "Bearer " + ONE_ID.key()) {
            @Override
            void prepare(WebTestClient client) {
                client.get().uri("/users/1").header(HttpHeaders.AUTHORIZATION, authorization).exchange()
                        .expectStatus().isOk().expectBody().returnResult(); // its one id
            }
        },
        UPSTREAM_FAILED(502, "upstream-failed", "/users/502", TestKeys.bearer()),
        UPSTREAM_UNAVAILABLE(503, "upstream-unavailable", "/users/503", TestKeys.bearer());

        final int status;
        final String problem;
        final String path;
        final String authorization;

        Answer(int status, String problem, String path, String authorization) {
            this.status = status;
            this.problem = problem;
            this.path = path;
            this.authorization = authorization;
        }

        HttpMethod method() {
            return HttpMethod.GET;
        }

        String accept() {
            return null;
        }

        /** Brings the service to where this answer is given. */
        void prepare(WebTestClient client) {
        }
    }

    /** A well-formed key (valid checksum) that is in no keys file. */
    private static String unknownKey() {
        return KeyMint.mint("nobody", RANDOM).key();
    }

    static Stream<Arguments> answersWithTheLimitsOnAndOff() {
        return Stream.of(true, false).flatMap(limits -> Arrays.stream(Answer.values())
                // the only 429s of our own come from the limits
                .filter(answer -> limits || answer.status != 429)
                .map(answer -> Arguments.of(answer, limits)));
    }

    @ParameterizedTest(name = "{0}, limits on: {1}")
    @MethodSource("answersWithTheLimitsOnAndOff")
    void everyAnswerCarriesTheSameHardeningHeaders(Answer answer, boolean limits) {
        int port = ((WebServerApplicationContext) (limits ? limitsOn : limitsOff)).getWebServer().getPort();
        WebTestClient client = OpenApiContract.client(port);
        answer.prepare(client);

        EntityExchangeResult<byte[]> result = send(client, answer);

        assertThat(result.getStatus().value()).isEqualTo(answer.status);
        if (answer.problem != null) {
            assertThat(new String(result.getResponseBody(), StandardCharsets.UTF_8))
                    .contains("\"type\":\"https://namegate.dev/problems/" + answer.problem + "\"");
        }
        HttpHeaders headers = result.getResponseHeaders();
        HARDENING.forEach((name, value) -> assertThat(headers.get(name)).as(name).containsExactly(value));
    }

    private static EntityExchangeResult<byte[]> send(WebTestClient client, Answer answer) {
        var spec = client.method(answer.method()).uri(answer.path);
        if (answer.authorization != null) {
            spec = spec.header(HttpHeaders.AUTHORIZATION, answer.authorization);
        }
        if (answer.accept() != null) {
            spec = spec.header(HttpHeaders.ACCEPT, answer.accept());
        }
        return spec.exchange().expectBody().returnResult();
    }
}
