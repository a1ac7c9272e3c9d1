package dev.namegate.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
import mockwebserver3.MockWebServer;

import dev.namegate.NamegateApplication;
import dev.namegate.auth.KeyMint;
import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.TestKeys;

/**
 * Every kind of answer carries the same hardening headers, whatever is switched off: each kind
 * from a service with the limits on and from one with them off.
 */
class HardeningHeadersTest {

    static final Map<String, String> HARDENING = Map.of(
            "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'",
            "Cache-Control", "no-store",
            "X-Content-Type-Options", "nosniff");

    /** Allowed one request, then refused for a long time: the 429 of the token bucket. */
    static final MintedKey TIGHT = KeyMint.mint("tight", new SecureRandom());

    static final MockWebServer upstream = MockUpstream.started(request -> switch (request.getTarget()) {
        case "/999" -> MockUpstream.status(500, "User not exists.");
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
                "--namegate.upstream.base-urls=" + MockUpstream.baseUrl(upstream), "--namegate.auth.keys-file=" + keysFile,
                "--namegate.warmup.lookups=0", "--namegate.warmup.requests=0", "--namegate.overload.enabled=false",
                "--namegate.upstream.response-timeout=1s", "--namegate.upstream.attempt-timeout=1500ms",
                "--namegate.upstream.deadline=5s", "--namegate.limits.enabled=" + limits);
    }

    private static String keysFile() {
        try {
            Path file = Files.createTempFile("namegate-hardening-keys", "");
            file.toFile().deleteOnExit();
            Files.writeString(file, TestKeys.CLIENT.keysFileLine() + " " + TestKeys.UNLIMITED + "\n"
                    + TIGHT.keysFileLine() + " rate=0.001 burst=1\n");
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        limitsOn.close();
        limitsOff.close();
        upstream.close();
    }

    /** One request per kind of answer, and the status it must get. */
    enum Answer {
        OK(200, HttpMethod.GET, "/users/1", TestKeys.bearer()),
        OPENAPI_DOCUMENT(200, HttpMethod.GET, "/openapi.yaml", null),
        CREDENTIALS_IN_QUERY(400, HttpMethod.GET, "/users/1?token=x", TestKeys.bearer()),
        INVALID_ID(400, HttpMethod.GET, "/users/abc", TestKeys.bearer()),
        UNAUTHORIZED(401, HttpMethod.GET, "/users/1", null),
        USER_NOT_FOUND(404, HttpMethod.GET, "/users/999", TestKeys.bearer()),
        NO_SUCH_PATH(404, HttpMethod.GET, "/nothing-here", null),
        METHOD_NOT_ALLOWED(405, HttpMethod.POST, "/users/1", TestKeys.bearer()),
        RATE_LIMITED(429, HttpMethod.GET, "/users/1", "Bearer " + TIGHT.key()),
        UPSTREAM_UNAVAILABLE(503, HttpMethod.GET, "/users/503", TestKeys.bearer());

        final int status;
        final HttpMethod method;
        final String path;
        final String authorization;

        Answer(int status, HttpMethod method, String path, String authorization) {
            this.status = status;
            this.method = method;
            this.path = path;
            this.authorization = authorization;
        }
    }

    static Stream<Arguments> answersWithTheLimitsOnAndOff() {
        return Stream.of(true, false).flatMap(limits -> Arrays.stream(Answer.values())
                // the only 429s of our own come from the limits
                .filter(answer -> limits || answer != Answer.RATE_LIMITED)
                .map(answer -> Arguments.of(answer, limits)));
    }

    @ParameterizedTest(name = "{0}, limits on: {1}")
    @MethodSource("answersWithTheLimitsOnAndOff")
    void everyAnswerCarriesTheSameHardeningHeaders(Answer answer, boolean limits) {
        int port = ((WebServerApplicationContext) (limits ? limitsOn : limitsOff)).getWebServer().getPort();
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        if (answer == Answer.RATE_LIMITED) {
            send(client, answer); // spends the bucket of one
        }

        EntityExchangeResult<byte[]> result = send(client, answer);

        assertThat(result.getStatus().value()).isEqualTo(answer.status);
        HttpHeaders headers = result.getResponseHeaders();
        HARDENING.forEach((name, value) -> assertThat(headers.get(name)).as(name).containsExactly(value));
    }

    private static EntityExchangeResult<byte[]> send(WebTestClient client, Answer answer) {
        var spec = client.method(answer.method).uri(answer.path);
        if (answer.authorization != null) {
            spec = spec.header(HttpHeaders.AUTHORIZATION, answer.authorization);
        }
        return spec.exchange().expectBody().returnResult();
    }
}
