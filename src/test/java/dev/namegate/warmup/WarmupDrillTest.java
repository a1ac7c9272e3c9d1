package dev.namegate.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.namegate.overload.OverloadDrill;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;

/**
 * The warm-up's last phase rehearses an overload: its lookups are refused both ways the gate
 * refuses or let in, counted apart from real refusals, and none reaches the internal service;
 * one in 256 asks for a path no route has and ends through the exception handler. Its
 * connections to the service are closed when it ends.
 */
@ServerTest
@TestPropertySource(properties = {
        "namegate.overload.enabled=true",
        "namegate.cache.enabled=false",
        "namegate.warmup.drill-requests=200",
        "namegate.warmup.drill-concurrency=8",
        // the let-in gate's first answers are cold: room for them, so every one marked is let in
        "namegate.overload.shed-queue-time=50ms",
        // the lookup after the drill is the JVM's first: time for it to be answered cold
        "namegate.upstream.response-timeout=15s",
        "namegate.upstream.attempt-timeout=16s",
        "namegate.upstream.deadline=20s",
        "namegate.upstream.pool.pending-acquire-timeout=1s",
})
class WarmupDrillTest {

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("John"));

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    Warmup warmup;

    @Test
    void everyDrillRequestIsRefusedOrLetInToBeRefusedAKeyCountedApartNoneReachesTheInternalServiceAndItsConnectionsClose() {
        await().atMost(Duration.ofSeconds(30)).until(warmup::isDone);

        double onArrival = meters.get("namegate.overload.shed").tag("when", "drill_on_arrival").counter().count();
        double afterTurn = meters.get("namegate.overload.shed").tag("when", "drill_after_waiting").counter().count();
        // one in sixteen let in: requests 1, 17, ..., 193; request 3 asks for no route
        int letIn = 13;
        int noRoute = 1;
        assertThat(onArrival + afterTurn).isEqualTo(200 - letIn - noRoute);
        assertThat(onArrival).as("refused on arrival once the drill's line has waited").isGreaterThanOrEqualTo(1);
        assertThat(afterTurn).as("half but those let in are marked to wait their turn").isGreaterThanOrEqualTo(100 - letIn - noRoute);
        assertThat(meters.get("namegate.overload.shed").tag("when", "on_arrival").counter().count()).isZero();
        assertThat(meters.get("namegate.overload.shed").tag("when", "after_waiting").counter().count()).isZero();
        double drillAnswers = meters.get("http.server.requests").tag("uri", "WARMUP_DRILL").timers().stream()
                .mapToLong(Timer::count).sum();
        assertThat(drillAnswers).as("every one but the request for no route under the drill's uri").isEqualTo(200 - noRoute);
        assertThat(meters.get("http.server.requests").tag("uri", "WARMUP_DRILL").tag("status", "503").timers().stream()
                .mapToLong(Timer::count).sum()).isEqualTo(200 - letIn - noRoute);
        assertThat(meters.get("http.server.requests").tag("status", "404").tag("exception", "NoResourceFoundException")
                .timers().stream().mapToLong(Timer::count).sum()).as("ended through the exception handler").isEqualTo(noRoute);
        assertThat(meters.get("http.server.requests").tag("uri", "WARMUP_DRILL").tag("status", "401").timer().count())
                .as("let in without a key").isEqualTo(letIn);
        assertThat(meters.find("http.server.requests").tag("uri", "/users/{id}").timers().stream().mapToLong(Timer::count).sum())
                .as("outside the availability objective").isZero();
        assertThat(upstream.requestCount()).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(meters.get("namegate.server.connections")
                .tag("port", Integer.toString(port)).gauge().value())
                .as("the warm-up's own connections closed as it ends, not left idle").isZero());

        // after the drill its mark means nothing
        OpenApiContract.client(port).get().uri("/users/1").header("Authorization", TestKeys.bearer())
                .header(OverloadDrill.HEADER, OverloadDrill.ON_ARRIVAL_MARK).exchange().expectStatus().isOk().expectBody().returnResult();
    }
}
