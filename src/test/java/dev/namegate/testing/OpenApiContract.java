package dev.namegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;

import reactor.core.publisher.Flux;

/**
 * Every answer a test gets from the service is checked against the published OpenAPI document
 * ({@code src/main/resources/openapi.yaml}), here and nowhere else: {@link #client(int)} and
 * {@link #filter()} for WebTestClient and WebClient, {@link #check} for the raw-socket and JDK
 * clients. An answer that breaks the document fails the test that received it.
 *
 * <p>Exempt, because the document cannot describe them (each names its reason in {@link #exemption}):
 * the management port's actuator endpoints and the probes, which are Spring Boot's formats; what
 * Netty or Spring's adapter refuse before any of our code runs (an over-long request line or head,
 * a request target {@code java.net.URI} cannot parse: no {@code X-Request-Id}); and answers for paths
 * and methods the document does not have (our {@code not-found} and {@code method-not-allowed}
 * problems, whose shape the tests provoking them assert).
 */
public final class OpenApiContract {

    private static final OpenApiInteractionValidator VALIDATOR = validator();
    /** Validator messages for a request the document has no operation for. */
    private static final Set<String> NO_OPERATION = Set.of("validation.request.path.missing",
            "validation.request.operation.notAllowed");
    private static final Set<String> PROBES = Set.of("/livez", "/readyz");
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(10);

    private OpenApiContract() {
    }

    private static OpenApiInteractionValidator validator() {
        try {
            String spec = new ClassPathResource("openapi.yaml").getContentAsString(StandardCharsets.UTF_8);
            return OpenApiInteractionValidator.createForInlineApiSpecification(spec).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client of the service on {@code 127.0.0.1:port} whose every answer is checked. */
    public static WebTestClient client(int port) {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(RESPONSE_TIMEOUT)
                .filter(filter()).build();
    }

    /** A WebClient of the service on {@code 127.0.0.1:port} whose every answer is checked. */
    public static WebClient webClient(int port) {
        return WebClient.builder().baseUrl("http://127.0.0.1:" + port).filter(filter()).build();
    }

    /**
     * Reads each answer whole, checks it, and hands on a copy of its body. Reading it here also
     * releases every body a test does not read (WebTestClient leaks those: spring-framework#36050).
     */
    public static ExchangeFilterFunction filter() {
        return (request, next) -> next.exchange(request).flatMap(response -> response.bodyToMono(byte[].class)
                .defaultIfEmpty(new byte[0])
                .map(body -> {
                    check(request.method().name(), request.url().getRawPath(), response.statusCode().value(),
                            response.headers().asHttpHeaders().asMultiValueMap(), body);
                    return withBody(response, body);
                }));
    }

    private static ClientResponse withBody(ClientResponse response, byte[] body) {
        return response.mutate()
                .body(body.length == 0 ? Flux.empty() : Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)))
                .build();
    }

    /**
     * Checks one answer against the document.
     *
     * @param path the request's path, without the query
     * @param headers names in any case
     * @throws AssertionError naming every way the answer breaks the document
     */
    public static void check(String method, String path, int status, Map<String, List<String>> headers, byte[] body) {
        List<String> broken = violations(method, path, status, headers, body);
        if (!broken.isEmpty()) {
            throw new AssertionError("the answer to " + method + " " + path + " (" + status
                    + ") breaks the OpenAPI document: " + broken);
        }
    }

    /** The ways an answer breaks the document; empty when it does not, or is exempt. */
    public static List<String> violations(String method, String path, int status, Map<String, List<String>> headers,
            byte[] body) {
        if (exemption(path, status, headers) != null) {
            return List.of();
        }
        SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
        headers.forEach(response::withHeader);
        if (body != null && body.length > 0) {
            response.withBody(new String(body, StandardCharsets.UTF_8));
        }
        ValidationReport report = VALIDATOR.validateResponse(path,
                Request.Method.valueOf(method.toUpperCase(Locale.ROOT)), response.build());
        return report.getMessages().stream()
                .filter(message -> !NO_OPERATION.contains(message.getKey()))
                .map(message -> message.getKey() + ": " + message.getMessage())
                .toList();
    }

    /** Why the document cannot describe this answer, or {@code null} when it must. */
    static String exemption(String path, int status, Map<String, List<String>> headers) {
        if (path.startsWith("/actuator/")) {
            return "the management port's actuator endpoints are Spring Boot's, not the API";
        }
        if (PROBES.contains(path)) {
            return "the probes are Spring Boot's health groups, not the API";
        }
        if (status == 414 || status == 431) {
            return "Netty refuses an over-long request line or head before any of our code runs";
        }
        if (status == 400 && !hasHeader(headers, "X-Request-Id")) {
            return "Spring's adapter refuses a request target java.net.URI cannot parse before our filters run";
        }
        return null;
    }

    private static boolean hasHeader(Map<String, List<String>> headers, String name) {
        return headers.keySet().stream().anyMatch(name::equalsIgnoreCase);
    }
}
