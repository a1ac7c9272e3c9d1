package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;

/**
 * The refusal on the connection, in the running server: while the gate refuses newcomers, a
 * lookup is answered 503 {@code overloaded} as the OpenAPI document says, reaches no upstream,
 * and is counted under the route; other paths are served; a request sent on a connection just
 * answered waits the closed loop's longer time. The probe is set to wake only after ten minutes,
 * so the test alone moves the gate.
 */
@ServerTest
@TestPropertySource(properties = {
        "namegate.overload.enabled=true",
        "namegate.overload.probe-interval=10m",
        "namegate.overload.lag-threshold=10m",
        "namegate.overload.shed-lag-threshold=10m",
        "namegate.overload.hold=10m",
        "namegate.overload.shed-min-in-flight=1",
        "namegate.overload.shed-queue-time=1ms",
        "namegate.overload.limit-floor-time=0ms",
        "namegate.overload.limit-start-time=0ms",
        "namegate.overload.refuse-newcomers-after=1ms",
        "namegate.overload.refuse-newcomers-for=10m",
        "namegate.overload.closed-loop-queue-time=10m",
        // a closed loop's request waits here until the test lets it in, past the 100 ms deadline
        "namegate.upstream.deadline=10s",
})
class EarlyRefusalServerTest {

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("Ada"));

    @LocalServerPort
    int port;

    @Autowired
    AdmissionGate gate;

    @Autowired
    RequestsInFlight inFlight;

    @Autowired
    MeterRegistry meters;

    private final List<Disposable> waiters = new ArrayList<>();

    @AfterEach
    void liftTheLimit() {
        waiters.forEach(Disposable::dispose);
        gate.stopped();
    }

    @Test
    void whileTheGateRefusesNewcomersALookupIsRefusedOnTheConnectionAndOtherPathsAreServed() {
        inFlight.enter();
        gate.probed(Duration.ofMinutes(10).toNanos()); // one in progress: the limit is one
        AtomicReference<Boolean> shed = new AtomicReference<>();
        waiters.add(gate.admit().subscribe(shed::set));
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            gate.probed(Duration.ofMinutes(10).toNanos());
            return shed.get() != null;
        });
        assertThat(shed.get()).as("waited its longest: refused").isFalse();
        waiters.add(gate.admit().subscribe());
        await().atMost(Duration.ofSeconds(5)).until(gate::refusingNewcomers);

        OpenApiContract.client(port).get().uri("/users/1").header("Authorization", TestKeys.bearer())
                .exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals("Retry-After", "1")
                .expectHeader().valueEquals("Cache-Control", "no-store")
                .expectHeader().exists("X-Request-Id")
                .expectBody().jsonPath("$.type").isEqualTo("https://namegate.dev/problems/overloaded");
        OpenApiContract.client(port).get().uri("/openapi.yaml").exchange().expectStatus().isOk();

        assertThat(upstream.requestCount()).isZero();
        assertThat(meters.get("http.server.requests").tags("uri", "/users/{id}", "status", "503").timer().count())
                .isEqualTo(1);
        assertThat(meters.get("namegate.overload.shed").tag("when", "on_arrival").counter().count()).isEqualTo(1);
        inFlight.leave();
    }

    @Test
    void aRequestOnAConnectionJustAnsweredWaitsItsTurnPastTheShedQueueTimeWhileANewcomerIsRefused() throws Exception {
        ConnectionProvider oneConnection = ConnectionProvider.create("closed-loop", 1);
        try {
            HttpClient closedLoop = HttpClient.create(oneConnection).baseUrl("http://localhost:" + port)
                    .headers(headers -> headers.set("Authorization", TestKeys.bearer()));
            assertThat(status(closedLoop, "/users/1").get(5, TimeUnit.SECONDS)).isEqualTo(200);

            double refusedBefore = meters.get("namegate.overload.shed").tag("when", "after_waiting").counter().count();
            // the first lookup's client may have its answer before the server counts it finished;
            // looked at every millisecond: the next request must come within closed-loop-within
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofMillis(50))
                    .until(() -> inFlight.count() == 0);
            inFlight.enter();
            gate.probed(Duration.ofMinutes(10).toNanos()); // one in progress: the limit is one
            CompletableFuture<Integer> fromTheLoop = status(closedLoop, "/users/2");
            CompletableFuture<Integer> newcomer = status(HttpClient.newConnection().baseUrl("http://localhost:" + port)
                    .headers(headers -> headers.set("Authorization", TestKeys.bearer())), "/users/3");
            await().atMost(Duration.ofSeconds(5)).until(() -> gate.waiting() == 2);
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                gate.probed(Duration.ofMinutes(10).toNanos());
                return newcomer.isDone();
            });
            assertThat(newcomer.get()).as("waited the shed queue time: refused").isEqualTo(503);
            assertThat(fromTheLoop).as("a closed loop's: still waiting").isNotDone();

            gate.leave(); // the one in progress leaves: the closed loop's request is let in
            assertThat(fromTheLoop.get(5, TimeUnit.SECONDS)).isEqualTo(200);
            // by path: the class's first test also counts the warm-up's lookups, and an attempt may be hedged
            List<String> reached = new ArrayList<>();
            for (int i = upstream.requestCount(); i > 0; i--) {
                reached.add(upstream.takeRequest().getTarget());
            }
            assertThat(reached).as("the closed loop's request reached the internal service, the newcomer's did not")
                    .anyMatch(target -> target.endsWith("/2")).noneMatch(target -> target.endsWith("/3"));
            assertThat(meters.get("namegate.overload.shed").tag("when", "after_waiting").counter().count())
                    .isEqualTo(refusedBefore + 1);
        } finally {
            oneConnection.dispose();
        }
    }

    private static CompletableFuture<Integer> status(HttpClient client, String uri) {
        return client.get().uri(uri).responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
                .toFuture();
    }
}
