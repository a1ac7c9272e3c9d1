package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;
import dev.namegate.web.RequestId;

/**
 * What identifies a request: our own {@code X-Request-Id}, the caller's id kept apart as a
 * correlation id, and the W3C trace that goes upstream, continuing the caller's when its
 * {@code traceparent} is valid and starting afresh when it is missing or not.
 */
@ServerTest
@TestPropertySource(properties = ServerTest.REQUEST_PATH_ONLY)
class RequestTraceTest {

    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-01");
    private static final String CALLERS_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.shared(null);

    @LocalServerPort
    int port;

    WebTestClient client;

    @BeforeEach
    void setUp() {
        client = OpenApiContract.client(port);
    }

    /** The trace id and span id of the next request upstream. */
    private static String[] traceUpstream() throws InterruptedException {
        String traceparent = upstream.takeRequest().getHeaders().get("traceparent");
        Matcher m = TRACEPARENT.matcher(String.valueOf(traceparent));
        assertThat(m.matches()).as("traceparent %s", traceparent).isTrue();
        return new String[] { m.group(1), m.group(2) };
    }

    private void getJohn(String traceparent) {
        upstream.enqueue(MockUpstream.name("John"));
        var request = client.get().uri("/users/1").header("Authorization", TestKeys.bearer());
        if (traceparent != null) {
            request = request.header("traceparent", traceparent);
        }
        request.exchange().expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("John");
    }

    @Test
    void theServersRequestIdAndTraceparentTravelUpstreamAndTheCallersIdComesBackAsCorrelationId()
            throws InterruptedException {
        upstream.enqueue(MockUpstream.name("John"));
        HttpHeaders answer = client.get().uri("/users/1").header("Authorization", TestKeys.bearer())
                .header(RequestId.HEADER, "caller-id.42")
                .header("traceparent", "00-" + CALLERS_TRACE + "-00f067aa0ba902b7-01")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(RequestId.CORRELATION_HEADER, "caller-id.42")
                .expectBody().returnResult().getResponseHeaders();
        String requestId = answer.getFirst(RequestId.HEADER);
        assertThat(requestId).as("the id of record is ours").matches("[0-9a-f]{32}");

        var request = upstream.takeRequest();
        assertThat(request.getHeaders().get(RequestId.HEADER)).isEqualTo(requestId);
        assertThat(request.getHeaders().get("traceparent"))
                .matches("00-" + CALLERS_TRACE + "-[0-9a-f]{16}-01")
                .as("a span of our own").isNotEqualTo("00-" + CALLERS_TRACE + "-00f067aa0ba902b7-01");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = { "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra" })
    void aMissingOrInvalidTraceparentStartsAFreshTraceForEachRequest(String traceparent) throws InterruptedException {
        getJohn(traceparent);
        getJohn(traceparent);

        String first = traceUpstream()[0];
        String second = traceUpstream()[0];
        assertThat(first).isNotEqualTo("0".repeat(32)).isNotEqualTo(second);
        if (traceparent != null) {
            assertThat(traceparent.toLowerCase(Locale.ROOT)).doesNotContain(first).doesNotContain(second);
        }
    }

    @Test
    void eachAttemptIsANewSpanOfTheRequestsTrace() throws InterruptedException {
        upstream.enqueue(MockUpstream.status(500, "Internal error"));
        upstream.enqueue(MockUpstream.name("John"));
        client.get().uri("/users/1").header("Authorization", TestKeys.bearer())
                .header("traceparent", "00-" + CALLERS_TRACE + "-00f067aa0ba902b7-01")
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("John");

        String[] first = traceUpstream();
        String[] retry = traceUpstream();
        assertThat(first[0]).isEqualTo(CALLERS_TRACE).isEqualTo(retry[0]);
        assertThat(first[1]).isNotEqualTo(retry[1]);
    }

    @Test
    void aCallersRequestIdNeverBecomesTheIdOfAProblem() {
        String body = client.get().uri("/users/abc").header("Authorization", TestKeys.bearer())
                .header(RequestId.HEADER, "chosen-by-caller")
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().valueEquals(RequestId.CORRELATION_HEADER, "chosen-by-caller")
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).doesNotContain("chosen-by-caller").containsPattern("\"requestId\":\"[0-9a-f]{32}\"");
        assertThat(upstream.requestCount()).isZero();
    }

    @ParameterizedTest
    @MethodSource("unacceptableCallerRequestIds")
    void anUnacceptableCallerRequestIdIsNeitherKeptNorEchoed(String offered) throws InterruptedException {
        upstream.enqueue(MockUpstream.name("John"));
        HttpHeaders answer = client.get().uri("/users/1").header("Authorization", TestKeys.bearer())
                .header(RequestId.HEADER, offered)
                .exchange()
                .expectStatus().isOk()
                .expectBody().returnResult().getResponseHeaders();
        assertThat(answer.getFirst(RequestId.HEADER)).matches("[0-9a-f]{32}");
        assertThat(answer.containsHeader(RequestId.CORRELATION_HEADER)).isFalse();
        assertThat(upstream.takeRequest().getHeaders().get(RequestId.HEADER)).isEqualTo(answer.getFirst(RequestId.HEADER));
    }

    static Stream<String> unacceptableCallerRequestIds() {
        // the last two fit [A-Za-z0-9._-]{1,64}, but a key must be neither logged nor echoed
        return Stream.of("bad id\twith spaces", TestKeys.CLIENT.key(), "trace." + TestKeys.CLIENT.key());
    }
}
