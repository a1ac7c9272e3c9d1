package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.webflux.actuate.endpoint.web.AdditionalHealthEndpointPathsWebFluxHandlerMapping;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.server.WebFilter;

import ch.qos.logback.classic.LoggerContext;
import mockwebserver3.MockResponse;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;
import dev.namegate.web.RequestId;

/**
 * The public contract: order of checks, id rules, representations, problem shapes, probes and
 * metrics. Every answer is checked against the published OpenAPI document by the shared client
 * ({@link OpenApiContract}), as in every HTTP test.
 */
@ServerTest
@TestPropertySource(properties = ServerTest.REQUEST_PATH_ONLY)
class ApiContractTest {

    private static final String HARD_NAME = "Zoë \"Q\" O'Brien \\ 李 🚀";

    /**
     * Answers like the internal service: id 1 is John, ids 4 and 42 have hard names, 999 does not
     * exist, 429 is rate-limited, anything else fails.
     */
    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.shared(request -> switch (request.getTarget()) {
        case "/1" -> MockUpstream.name("John");
        case "/4" -> new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json; charset=utf-8")
                .body("{\"name\":\"Zoë \\\"Q\\\" O'Brien \\\\ 李 🚀\"}").build();
        case "/42" -> MockUpstream.json("{\"name\":\"Łukasz \\\"the\\\" \\\\ 李\"}");
        case "/999" -> MockUpstream.status(500, "User not exists.");
        case "/429" -> new MockResponse.Builder().code(429).setHeader("Retry-After", "30").build();
        default -> MockUpstream.status(500, "Internal error");
    });

    @LocalServerPort
    int port;

    @Value("${local.management.port}")
    int managementPort;

    @Autowired
    DispatcherHandler dispatcher;

    @Autowired
    List<WebFilter> filters;

    WebTestClient client;

    @BeforeEach
    void setUp() {
        client = OpenApiContract.client(port);
    }

    /** Sends a request; the shared client checks the answer against the document. */
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
        return result;
    }

    private static String body(EntityExchangeResult<byte[]> result) {
        return new String(result.getResponseBody(), StandardCharsets.UTF_8);
    }

    @Test
    void theCheckRejectsAnAnswerThatBreaksTheDocument() {
        assertThat(OpenApiContract.violations("GET", "/users/1", 200,
                Map.of("Content-Type", List.of("application/json")),
                "{\"id\":\"1\",\"name\":\"John\",\"extra\":true}".getBytes(StandardCharsets.UTF_8)))
                .isNotEmpty();
        assertThat(OpenApiContract.violations("GET", "/users/1", 429,
                Map.of("Content-Type", List.of("application/problem+json"), "Retry-After", List.of("0")),
                "{\"type\":\"t\",\"title\":\"t\",\"status\":429,\"detail\":\"d\",\"requestId\":\"r\"}"
                        .getBytes(StandardCharsets.UTF_8)))
                .as("Retry-After below its minimum of 1").isNotEmpty();
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
            assertThat(result.getResponseHeaders().getFirst(RequestId.CORRELATION_HEADER)).isEqualTo("caller-7");
            assertThat(result.getResponseHeaders().getFirst(RequestId.HEADER)).matches("[0-9a-f]{32}");
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "abc               | 400", "0 | 400", "01 | 400", "-1 | 400", "+1 | 400", "1.0 | 400", "1e3 | 400",
        "1234567890123456  | 400", "%EF%BC%91 | 400", "1%2F2 | 400", "%20 | 400", "0x1 | 400" })
    void invalidIdsAreAProblemBeforeAnyUpstreamCall(String id, int status) {
        var result = call(HttpMethod.GET, "/users/" + id, TestKeys.bearer(), null);
        assertThat(result.getStatus().value()).isEqualTo(status);
        assertThat(body(result)).contains("https://namegate.dev/problems/invalid-id");
        assertThat(upstream.requestCount()).isZero();
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
    void namesWithUnicodeQuotesAndBackslashesSurviveInJsonAndText() {
        var json = call(HttpMethod.GET, "/users/4", TestKeys.bearer(), null);
        assertThat(json.getStatus().value()).isEqualTo(200);
        assertThat(body(json)).isEqualTo("{\"id\":4,\"name\":\"Zoë \\\"Q\\\" O'Brien \\\\ 李 🚀\"}");
        var text = call(HttpMethod.GET, "/users/4", TestKeys.bearer(), "text/plain");
        assertThat(text.getResponseHeaders().getContentType().toString()).isEqualTo("text/plain;charset=UTF-8");
        assertThat(body(text)).isEqualTo(HARD_NAME);
    }

    @Test
    void headIsLikeGetWithoutABody() {
        client.head().uri("/users/1").header("Authorization", TestKeys.bearer()).exchange()
                .expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody().isEmpty();
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void aLookupIsMatchedAgainstTheApiRoutesBeforeTheHealthPaths() {
        List<Class<?>> mappings = dispatcher.getHandlerMappings().stream().<Class<?>>map(Object::getClass).toList();
        assertThat(mappings.indexOf(RouterFunctionMapping.class)).isNotNegative()
                .isLessThan(mappings.indexOf(AdditionalHealthEndpointPathsWebFluxHandlerMapping.class));
    }

    @Test
    void theApiRoutesAreAnsweredByTheLastFilterAndTheRestByTheDispatcher() {
        List<WebFilter> ordered = new ArrayList<>(filters);
        AnnotationAwareOrderComparator.sort(ordered);
        assertThat(ordered.get(ordered.size() - 1)).isInstanceOf(RoutesBeforeDispatcher.class);
        assertThat(ordered.stream().filter(RoutesBeforeDispatcher.class::isInstance)).hasSize(1);
    }

    @Test
    void probesAreOnTheMainPortAndMetricsOnTheManagementPort() {
        client.get().uri("/livez").exchange().expectStatus().isOk().expectBody().returnResult();
        client.get().uri("/readyz").exchange().expectStatus().isOk().expectBody().returnResult();
        call(HttpMethod.GET, "/users/1", TestKeys.bearer(), null);

        String metrics = OpenApiContract.client(managementPort)
                .get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("namegate_upstream_attempts_total{outcome=\"success\"}");
        assertThat(metrics).containsPattern("http_server_requests_seconds_bucket\\{.*uri=\"/users/\\{id\\}\".*le=\"0\\.1\"\\}");
        // upstream attempts are counted once, classified: no generic client timer repeats them
        assertThat(metrics).doesNotContain("http_client_requests");
        // log events by level, counted without a turbo filter on every isDebugEnabled()
        assertThat(metrics).contains("logback_events_total{level=\"info\"}");
        assertThat(((LoggerContext) LoggerFactory.getILoggerFactory()).getTurboFilterList()).isEmpty();
        // the metrics are not on the public port
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isNotFound().expectBody().returnResult();
    }
}
