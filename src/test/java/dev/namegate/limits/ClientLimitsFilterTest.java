package dev.namegate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.BearerAuthentication;
import dev.namegate.auth.Client;
import dev.namegate.auth.ClientId;
import dev.namegate.auth.ClientLimits;
import dev.namegate.testing.OpenApiContract;

/**
 * The filter's answers for each quota verdict, on the router alone: the client is whatever the
 * {@code X-Test-Client} header names, as if {@link BearerAuthentication} had authenticated it.
 */
class ClientLimitsFilterTest {

    private static final String CLIENT_HEADER = "X-Test-Client";

    /** Ten ids per client, and room for ten over the whole replica, on a clock that stands still (an exact Retry-After). */
    private final InMemoryClientLimitStore store = new InMemoryClientLimitStore(new LimitsProperties(
            new LimitsProperties.Rate(50, 100),
            new LimitsProperties.Quota(10, Duration.ofHours(24), 0.8, 10),
            new LimitsProperties.BruteForce(10, Duration.ofMinutes(1), Duration.ofMinutes(5), 1_000),
            List.of(), true), new AuditLog(Clock.systemUTC()), () -> 0L);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final WebTestClient client = WebTestClient.bindToRouterFunction(RouterFunctions.route()
            .GET("/users/{id}", request -> ServerResponse.ok().bodyValue("a name"))
            .filter((request, next) -> {
                request.attributes().put(BearerAuthentication.CLIENT_ATTRIBUTE, new Client(
                        new ClientId(request.headers().firstHeader(CLIENT_HEADER)), ClientLimits.DEFAULTS));
                return next.handle(request);
            })
            .filter(new ClientLimitsFilter(store, new LimitRefusals(meters)))
            .build()).configureClient().filter(OpenApiContract.filter()).build();

    private WebTestClient.ResponseSpec get(String clientId, long id) {
        return client.get().uri("/users/" + id).header(CLIENT_HEADER, clientId).exchange();
    }

    @Test
    void aFullReplicaAnswersOverloadedWithAShortRetryAfterNotQuotaExceeded() {
        for (long id = 1; id <= 10; id++) {
            get("reader", id).expectStatus().isOk().expectBody(String.class).isEqualTo("a name");
        }

        get("newcomer", 1).expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "1")
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://namegate.dev/problems/overloaded")
                .jsonPath("$.detail").isEqualTo("This replica cannot count more distinct users right now;"
                        + " retry after the time given in Retry-After.");

        get("reader", 11).expectStatus().isEqualTo(429)
                .expectHeader().valueEquals("Retry-After", Long.toString(Duration.ofHours(24).toSeconds()))
                .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/quota-exceeded");
        get("reader", 3).expectStatus().isOk().expectBody(String.class).isEqualTo("a name");
        assertThat(refused("quota")).isEqualTo(1);
        assertThat(refused("rate")).isZero();
    }

    @Test
    void aRequestOverTheBucketIsCountedAsARateRefusalNotAQuotaOne() {
        // a burst of 100 refilling at 50/s: the first refusal comes after 100 and some more
        int sent = 0;
        String body = "a name";
        while (body.equals("a name") && sent < 1_000) {
            body = get("hasty", 1).returnResult(String.class).getResponseBody().blockFirst();
            sent++;
        }
        assertThat(sent).isGreaterThan(100);
        assertThat(body).contains("https://namegate.dev/problems/rate-limited");

        assertThat(refused("rate")).isEqualTo(1);
        assertThat(refused("quota")).isZero();
        assertThat(refused("throttle")).isZero();
    }

    private double refused(String reason) {
        return meters.get("namegate.limits.refused").tag("reason", reason).counter().count();
    }
}
