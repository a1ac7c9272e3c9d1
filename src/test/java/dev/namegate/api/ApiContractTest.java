package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpMethod;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.TestKeys;
import dev.namegate.web.RequestId;

/**
 * The public contract: order of checks, id rules, problem shapes, probes and metrics; every
 * response of our API is validated against the published OpenAPI document.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "namegate.cache.enabled=false",
        // the story-day mechanics on their own; the guards have their own tests
        "namegate.upstream.hedging.enabled=false",
        "namegate.upstream.breaker.enabled=false",
        // on, but with a threshold no test machine reaches: its metrics are part of the contract
        "namegate.overload.lag-threshold=5s", "namegate.overload.shed-lag-threshold=5s", "namegate.overload.hold=5s",
        "namegate.upstream.rate-limit.enabled=false",
        "namegate.warmup.lookups=0", "namegate.warmup.requests=0",
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
})
class ApiContractTest {

    /** Answers like the internal service: id 1 is John, id 42 has a hard name, 999 does not exist, 777 always fails. */
    static final MockWebServer upstream = started();
    static final OpenApiInteractionValidator OPENAPI = openApi();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("namegate.upstream.base-urls", () -> "http://127.0.0.1:" + upstream.getPort());
        registry.add("namegate.auth.keys-file", () -> TestKeys.keysFile().toString());
    }

    @LocalServerPort
    int port;

    @Value("${local.management.port}")
    int managementPort;

    WebTestClient client;

    @BeforeEach
    void setUp() {
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    private static MockWebServer started() {
        return MockUpstream.started(request -> {
            return switch (request.getTarget()) {
                case "/1" -> json("{\"name\":\"John\"}");
                case "/42" -> json("{\"name\":\"Łukasz \\\"the\\\" \\\\ 李\"}");
                case "/999" -> new MockResponse.Builder().code(500).body("User not exists.").build();
                case "/429" -> new MockResponse.Builder().code(429).setHeader("Retry-After", "30").build();
                default -> new MockResponse.Builder().code(500).body("Internal error").build();
            };
        });
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build();
    }

    private static OpenApiInteractionValidator openApi() {
        try {
            String spec = new String(new ClassPathResource("openapi.yaml").getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return OpenApiInteractionValidator.createForInlineApiSpecification(spec).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends a request and checks the response against the OpenAPI document. */
    private EntityExchangeResult<byte[]> call(HttpMethod method, String path, String authorization, String accept) {
        var spec = client.method(method).uri(path);
        if (authorization != null) {
            spec = spec.header("Authorization", authorization);
        }
        if (accept != null) {
            spec = spec.header("Accept", accept);
        }
        EntityExchangeResult<byte[]> result = spec.exchange().expectBody().returnResult();
        assertThat(result.getResponseHeaders().getFirst(RequestId.HEADER)).as("X-Request-Id on every response").isNotBlank();
        validate(method, path, result);
        return result;
    }

    private static void validate(HttpMethod method, String path, EntityExchangeResult<byte[]> result) {
        String pathOnly = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        SimpleResponse.Builder response = SimpleResponse.Builder.status(result.getStatus().value());
        result.getResponseHeaders().forEach((name, values) -> response.withHeader(name, values));
        byte[] body = result.getResponseBody();
        if (body != null && body.length > 0) {
            response.withBody(new String(body, StandardCharsets.UTF_8));
        }
        ValidationReport report = OPENAPI.validateResponse(pathOnly, Request.Method.valueOf(method.name()), response.build());
        // paths and methods the document does not have (404, 405 answers) have nothing to validate against
        var messages = report.getMessages().stream()
                .filter(m -> !m.getKey().equals("validation.request.path.missing")
                        && !m.getKey().equals("validation.request.operation.notAllowed"))
                .toList();
        assertThat(messages).as("OpenAPI validation of %s %s -> %s", method, path, result.getStatus()).isEmpty();
    }

    private static String body(EntityExchangeResult<byte[]> result) {
        return new String(result.getResponseBody(), StandardCharsets.UTF_8);
    }

    @Test
    void theValidatorRejectsAResponseThatBreaksTheDocument() {
        ValidationReport report = OPENAPI.validateResponse("/users/1", Request.Method.GET,
                SimpleResponse.Builder.status(200).withContentType("application/json")
                        .withBody("{\"id\":\"1\",\"name\":\"John\",\"extra\":true}").build());
        assertThat(report.hasErrors()).isTrue();
    }

    @Test
    void foundUserMatchesTheDocumentInJsonAndText() {
        var json = call(HttpMethod.GET, "/users/1", TestKeys.bearer(), null);
        assertThat(json.getStatus().value()).isEqualTo(200);
        assertThat(body(json)).isEqualTo("{\"id\":1,\"name\":\"John\"}");

        var text = call(HttpMethod.GET, "/users/42", TestKeys.bearer(), "text/plain");
        assertThat(text.getStatus().value()).isEqualTo(200);
        assertThat(body(text)).isEqualTo("Łukasz \"the\" \\ 李");
        assertThat(text.getResponseHeaders().getContentType().toString()).isEqualTo("text/plain;charset=UTF-8");
    }

    @Test
    void acceptNegotiationPrefersTheMostSpecificHighestQuality() {
        assertThat(call(HttpMethod.GET, "/users/1", TestKeys.bearer(), "text/plain, */*").getResponseHeaders()
                .getContentType().toString()).startsWith("text/plain");
        assertThat(call(HttpMethod.GET, "/users/1", TestKeys.bearer(), "*/*").getResponseHeaders()
                .getContentType().toString()).isEqualTo("application/json");
        assertThat(call(HttpMethod.GET, "/users/1", TestKeys.bearer(), "text/plain;q=0.5, application/json").getResponseHeaders()
                .getContentType().toString()).isEqualTo("application/json");
        assertThat(call(HttpMethod.GET, "/users/1", TestKeys.bearer(), "image/png").getStatus().value()).isEqualTo(406);
    }

    @Test
    void problemsCarryTypeTitleStatusDetailAndRequestId() {
        var notFound = call(HttpMethod.GET, "/users/999", TestKeys.bearer(), null);
        assertThat(notFound.getStatus().value()).isEqualTo(404);
        assertThat(notFound.getResponseHeaders().getContentType().toString()).isEqualTo("application/problem+json");
        assertThat(body(notFound)).contains("\"type\":\"https://namegate.dev/problems/user-not-found\"")
                .contains("\"title\":").contains("\"status\":404").contains("\"detail\":")
                .contains("\"requestId\":\"" + notFound.getResponseHeaders().getFirst(RequestId.HEADER) + "\"")
                .doesNotContain("User not exists");

        var failed = call(HttpMethod.GET, "/users/777", TestKeys.bearer(), null);
        assertThat(failed.getStatus().value()).isEqualTo(502);
        assertThat(body(failed)).doesNotContain("Internal error").doesNotContain("Exception").doesNotContain("at dev.");

        var limited = call(HttpMethod.GET, "/users/429", TestKeys.bearer(), null);
        assertThat(limited.getStatus().value()).isEqualTo(503);
        assertThat(limited.getResponseHeaders().getFirst("Retry-After")).isEqualTo("30");
    }

    @Test
    void aCallersRequestIdComesBackAsTheDocumentedCorrelationId() {
        for (String path : new String[] { "/users/1", "/users/999" }) {
            EntityExchangeResult<byte[]> result = client.get().uri(path).header("Authorization", TestKeys.bearer())
                    .header(RequestId.HEADER, "caller-7").exchange().expectBody().returnResult();
            validate(HttpMethod.GET, path, result);
            assertThat(result.getResponseHeaders().getFirst(RequestId.CORRELATION_HEADER)).isEqualTo("caller-7");
            assertThat(result.getResponseHeaders().getFirst(RequestId.HEADER)).matches("[0-9a-f]{32}");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0", "01", "-1", "+1", "1.0", "1e3", "1234567890123456", "%EF%BC%91", "1%2F2", "%20", "0x1"})
    void invalidIdsAre400BeforeAnyUpstreamCall(String id) {
        int before = upstream.getRequestCount();
        var result = call(HttpMethod.GET, "/users/" + id, TestKeys.bearer(), null);
        assertThat(result.getStatus().value()).isIn(400, 404);
        if (result.getStatus().value() == 400) {
            assertThat(body(result)).contains("https://namegate.dev/problems/invalid-id");
        }
        assertThat(upstream.getRequestCount()).isEqualTo(before);
    }

    @Test
    void fifteenDigitsIsTheLongestValidId() {
        var result = call(HttpMethod.GET, "/users/999999999999999", TestKeys.bearer(), null);
        assertThat(result.getStatus().value()).isEqualTo(502); // reached the upstream (which fails for it)
    }

    @Test
    void orderOfChecksIsQueryCredentialsThenAuthenticationThenId() {
        assertThat(call(HttpMethod.GET, "/users/abc", null, null).getStatus().value()).isEqualTo(401);
        assertThat(call(HttpMethod.GET, "/users/abc", TestKeys.bearer(), null).getStatus().value()).isEqualTo(400);
        var query = call(HttpMethod.GET, "/users/abc?p=123", null, null);
        assertThat(query.getStatus().value()).isEqualTo(400);
        assertThat(body(query)).contains("credentials-in-query").contains("Authorization: Bearer");
    }

    @Test
    void everythingUnderUsersNeedsAKey() {
        assertThat(call(HttpMethod.GET, "/users", null, null).getStatus().value()).isEqualTo(401);
        assertThat(call(HttpMethod.GET, "/users/1/extra", null, null).getStatus().value()).isEqualTo(401);
        assertThat(call(HttpMethod.DELETE, "/users/1", null, null).getStatus().value()).isEqualTo(401);
        var unauthorized = call(HttpMethod.GET, "/users/1", "Bearer ng_notakey", null);
        assertThat(unauthorized.getStatus().value()).isEqualTo(401);
        assertThat(unauthorized.getResponseHeaders().getFirst("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"namegate\", error=\"invalid_token\"");
    }

    @Test
    void wrongMethodIs405WithAllow() {
        var result = call(HttpMethod.POST, "/users/1", TestKeys.bearer(), null);
        assertThat(result.getStatus().value()).isEqualTo(405);
        assertThat(result.getResponseHeaders().getFirst("Allow")).isEqualTo("GET, HEAD");
        assertThat(body(result)).contains("https://namegate.dev/problems/method-not-allowed");
    }

    @Test
    void unknownPathIsAProblem404() {
        var result = call(HttpMethod.GET, "/nothing/here", null, null);
        assertThat(result.getStatus().value()).isEqualTo(404);
        assertThat(result.getResponseHeaders().getContentType().toString()).isEqualTo("application/problem+json");
        assertThat(body(result)).contains("https://namegate.dev/problems/not-found");
    }

    @Test
    void openApiDocumentIsServedWithoutAKey() {
        var result = client.get().uri("/openapi.yaml").exchange()
                .expectStatus().isOk()
                .expectHeader().contentType("application/yaml")
                .expectBody(String.class).returnResult();
        assertThat(result.getResponseBody()).startsWith("openapi: 3.0.3");
    }

    @Test
    void probesAreOnTheMainPortAndMetricsOnTheManagementPort() {
        client.get().uri("/livez").exchange().expectStatus().isOk().expectBody().returnResult();
        client.get().uri("/readyz").exchange().expectStatus().isOk().expectBody().returnResult();
        call(HttpMethod.GET, "/users/1", TestKeys.bearer(), null);

        String metrics = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
                .get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("namegate_upstream_attempts_total{outcome=\"success\"}");
        assertThat(metrics).contains("namegate_overload_event_loop_lag_seconds", "namegate_overload_shed_share",
                "namegate_overload_shed_total 0.0");
        assertThat(metrics).containsPattern("http_server_requests_seconds_bucket\\{.*uri=\"/users/\\{id\\}\".*le=\"0\\.1\"\\}");
        // the metrics are not on the public port
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isNotFound().expectBody().returnResult();
    }
}
