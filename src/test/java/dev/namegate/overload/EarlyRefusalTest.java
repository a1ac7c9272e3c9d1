package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The refusal on the connection, between a real HTTP codec and a stand-in for Reactor Netty that
 * records what reaches it: what is refused, what the refusal says, and what goes on untouched.
 */
class EarlyRefusalTest {

    private static final long LATE = Duration.ofMillis(30).toNanos();

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final RequestsInFlight inFlight = new RequestsInFlight();
    private final OverloadProperties properties = AdmissionGateTest.properties(4);
    private final AdmissionGate gate = new AdmissionGate(properties, inFlight, clock::get, () -> 0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OverloadDrill drill = new OverloadDrill(properties, registry, clock::get, () -> 0);
    private final EarlyRefusals refusals = new EarlyRefusals(gate, drill, properties, registry, clock::get);
    /** What Reactor Netty would have been handed. */
    private final List<Object> passedOn = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new EarlyRefusal(refusals, InProgressCaps.NONE),
            new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    passedOn.add(msg instanceof HttpRequest request ? request.method() + " " + request.uri()
                            : msg instanceof HttpContent content ? "content " + content.content().readableBytes() : msg);
                    ReferenceCountUtil.release(msg);
                }
            });
    private final List<Disposable> admissions = new ArrayList<>();

    @AfterEach
    void close() {
        admissions.forEach(Disposable::dispose);
        channel.finishAndReleaseAll();
    }

    /**
     * The gate limits what is admitted, has just refused a request that waited its longest, and
     * the first in line now has waited long enough for newcomers to be refused.
     */
    private void gateRefusesNewcomers() {
        for (int i = 0; i < 4; i++) {
            admissions.add(gate.admit().subscribe());
        }
        gate.probed(LATE);
        admissions.add(gate.admit().subscribe());
        clock.addAndGet(properties.shedQueueTime().toNanos());
        gate.probed(LATE);
        admissions.add(gate.admit().subscribe());
        clock.addAndGet(properties.refuseNewcomersAfter().toNanos());
        assertThat(gate.refusingNewcomers()).isTrue();
    }

    /** A drill runs, and its gate's line has waited long enough for its newcomers to be refused. */
    private void drillGateRefusesNewcomers() {
        assertThat(drill.start()).isTrue();
        admissions.add(drill.gate().admit().subscribe());
        clock.addAndGet(properties.shedQueueTime().toNanos());
        drill.gate().probed(0);
        admissions.add(drill.gate().admit().subscribe());
        clock.addAndGet(properties.refuseNewcomersAfter().toNanos());
        assertThat(drill.gate().refusingNewcomers()).isTrue();
    }

    private void send(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
    }

    /** Everything written to the connection so far, as text. */
    private String written() {
        StringBuilder text = new StringBuilder();
        for (Object out; (out = channel.readOutbound()) != null;) {
            text.append(((ByteBuf) out).toString(StandardCharsets.UTF_8));
            ((ByteBuf) out).release();
        }
        return text.toString();
    }

    private static Map<String, String> headers(String response) {
        Map<String, String> headers = new LinkedHashMap<>();
        String head = response.substring(0, response.indexOf("\r\n\r\n"));
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).toLowerCase(), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    @Test
    void whileTheGateAdmitsEveryoneRequestsGoOnUntouched() {
        send("GET /users/7 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(passedOn).containsExactly("GET /users/7", "content 0");
        assertThat(written()).isEmpty();
    }

    @Test
    void whileTheGateRefusesNewcomersALookupIsRefusedWithTheGatesProblemAndTheConnectionKept() {
        gateRefusesNewcomers();
        send("GET /users/7 HTTP/1.1\r\nHost: x\r\nX-Request-Id: caller-1\r\n\r\n");

        assertThat(passedOn).isEmpty();
        String response = written();
        assertThat(response).startsWith("HTTP/1.1 503 Service Unavailable\r\n");
        Map<String, String> headers = headers(response);
        assertThat(headers).containsEntry("content-type", "application/problem+json")
                .containsEntry("retry-after", "1")
                .containsEntry("x-correlation-id", "caller-1")
                .containsEntry("cache-control", "no-store")
                .containsEntry("x-content-type-options", "nosniff")
                .containsEntry("content-security-policy", "default-src 'none'; frame-ancestors 'none'")
                .doesNotContainKey("connection");
        assertThat(headers.get("x-request-id")).matches("[0-9a-f]{32}");
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        assertThat(headers).containsEntry("content-length", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
        JsonNode problem = JsonMapper.builder().build().readTree(body);
        assertThat(problem.get("type").asString()).endsWith("overloaded");
        assertThat(problem.get("status").asInt()).isEqualTo(503);
        assertThat(problem.get("detail").asString()).isEqualTo(LoadShedFilter.DETAIL);
        assertThat(problem.get("requestId").asString()).isEqualTo(headers.get("x-request-id"));
        assertThat(channel.isOpen()).isTrue();

        assertThat(registry.get("namegate.overload.shed").tag("when", "on_arrival").counter().count()).isEqualTo(1);
        assertThat(registry.get("http.server.requests").tags("uri", "/users/{id}", "status", "503", "method", "GET",
                "outcome", "SERVER_ERROR", "exception", "none", "error", "none").timer().count()).isEqualTo(1);
    }

    @Test
    void aConnectionThatComesStraightBackAfterARefusalWaitsItsTurnSoAClosedLoopCannotSpinOnRefusals() {
        gateRefusesNewcomers();
        send("GET /users/7 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(written()).startsWith("HTTP/1.1 503 ");
        clock.addAndGet(properties.refuseAgainAfter().toNanos() - 1);
        send("GET /users/8 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(passedOn).as("back at once: the next goes to the gate").containsExactly("GET /users/8", "content 0");
        answer();
        written();
        clock.addAndGet(properties.closedLoopWithin().toNanos());
        send("GET /users/9 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(passedOn).as("the one after, not straight after that answer, may be refused here again").hasSize(2);
        assertThat(written()).startsWith("HTTP/1.1 503 ");
    }

    @Test
    void aConnectionThatAsksAgainSoonAfterItsAnswerWaitsItsTurnSinceAClosedLoopAddsNoExcess() {
        send("GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n");
        gateRefusesNewcomers();
        answer();
        written();
        clock.addAndGet(properties.closedLoopWithin().toNanos() - 1);
        send("GET /users/2 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(passedOn).as("asked again within the closed-loop time: to the gate")
                .containsExactly("GET /users/1", "content 0", "GET /users/2", "content 0");
        assertThat(written()).isEmpty();
        clock.addAndGet(properties.closedLoopWithin().toNanos() - 1);
        answer();
        written();
        clock.addAndGet(properties.closedLoopWithin().toNanos());
        send("GET /users/3 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(passedOn).as("asked again only that long after its answer: a newcomer").hasSize(4);
        assertThat(written()).startsWith("HTTP/1.1 503 ");
        assertThat(registry.get("namegate.overload.shed").tag("when", "on_arrival").counter().count()).isEqualTo(1);
    }

    @Test
    void eachRefusalHasItsOwnRequestIdAndACallersOddIdIsNotEchoed() {
        gateRefusesNewcomers();
        send("GET /users/7 HTTP/1.1\r\nHost: x\r\nX-Request-Id: not plain!\r\n\r\n");
        Map<String, String> first = headers(written());
        channel.finishAndReleaseAll();
        EmbeddedChannel other = new EmbeddedChannel(new HttpServerCodec(), new EarlyRefusal(refusals, InProgressCaps.NONE));
        other.writeInbound(Unpooled.copiedBuffer("GET /users/8 HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
        ByteBuf out = other.readOutbound();
        Map<String, String> second = headers(out.toString(StandardCharsets.UTF_8));
        out.release();
        other.finishAndReleaseAll();
        assertThat(first).doesNotContainKey("x-correlation-id");
        assertThat(first.get("x-request-id")).isNotEqualTo(second.get("x-request-id"));
    }

    @Test
    void onlyLookupsAreRefusedHere() {
        gateRefusesNewcomers();
        send("GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n");
        send("GET /users HTTP/1.1\r\nHost: x\r\n\r\n");
        send("POST /users/7 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        assertThat(passedOn).containsExactly("GET /openapi.yaml", "content 0", "GET /users", "content 0",
                "POST /users/7", "content 0");
        assertThat(written()).isEmpty();
    }

    @Test
    void aRequestBehindOneAwaitingItsAnswerIsNotRefusedSoAnswersKeepTheirOrder() {
        send("GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n");
        gateRefusesNewcomers();
        send("GET /users/2 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(passedOn).containsExactly("GET /users/1", "content 0", "GET /users/2", "content 0");

        answer(); // the first answer written whole: one request still awaits its answer
        send("GET /users/3 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(passedOn).hasSize(6);
        answer();
        answer();
        written();
        clock.addAndGet(properties.closedLoopWithin().toNanos()); // not straight after its answer
        send("GET /users/4 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(passedOn).as("the fourth is refused").hasSize(6);
        assertThat(written()).startsWith("HTTP/1.1 503 ");
    }

    private void answer() {
        DefaultFullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        ok.headers().set("content-length", 0);
        channel.writeOutbound(ok);
    }

    @Test
    void aRefusedRequestsBodyGoesNoFurtherAndTheNextRequestIsReadAsOne() {
        gateRefusesNewcomers();
        send("GET /users/7 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel");
        send("lo");
        assertThat(written()).startsWith("HTTP/1.1 503 ");
        admissions.forEach(Disposable::dispose);
        gate.stopped(); // the limit lifted: newcomers go on again
        send("GET /users/8 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(passedOn).containsExactly("GET /users/8", "content 0");
    }

    @Test
    void aRefusalOnArrivalKeepsTheGatesLimitForAnotherSecond() {
        gateRefusesNewcomers();
        send("GET /users/7 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(written()).startsWith("HTTP/1.1 503 ");
        admissions.forEach(Disposable::dispose);
        for (int i = 0; i < 4; i++) {
            gate.leave();
        }
        gate.probed(0); // punctual, nobody in progress or waiting: only the refusal on arrival holds the limit
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        gate.probed(0);
        assertThat(gate.limit()).as("slack counted from after the refusal").isNotEqualTo(AdmissionGate.UNLIMITED);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        gate.probed(0);
        assertThat(gate.limit()).isEqualTo(AdmissionGate.UNLIMITED);
    }

    @Test
    void duringADrillAMarkedLookupIsRefusedWithTheGatesProblemCountedApartAndTheGateUntouched() {
        drillGateRefusesNewcomers();
        send("GET /users/7 HTTP/1.1\r\nHost: x\r\nX-Namegate-Overload-Drill: on-arrival\r\n\r\n");
        String response = written();
        assertThat(response).startsWith("HTTP/1.1 503 Service Unavailable\r\n");
        assertThat(headers(response)).containsEntry("content-type", "application/problem+json")
                .containsEntry("retry-after", "1");
        assertThat(response).contains("\"detail\":\"" + LoadShedFilter.DETAIL + "\"");
        assertThat(passedOn).isEmpty();

        assertThat(registry.get("namegate.overload.shed").tag("when", "drill_on_arrival").counter().count()).isEqualTo(1);
        assertThat(registry.get("http.server.requests").tags("uri", "WARMUP_DRILL", "status", "503", "method", "GET")
                .timer().count()).isEqualTo(1);
        assertThat(registry.get("namegate.overload.shed").tag("when", "on_arrival").counter().count())
                .as("outside the gate's refusals").isZero();
        assertThat(registry.get("http.server.requests").tags("uri", "/users/{id}").timer().count())
                .as("outside the availability objective").isZero();
        gate.probed(0);
        assertThat(gate.limiting()).isFalse();
        assertThat(gate.waiting()).isZero();
    }

    @Test
    void aDrillsMarkedLookupStraightAfterAnAnswerOnItsConnectionIsStillRefusedSinceTheDrillRehearsesNewcomers() {
        drill.start();
        send("GET /users/6 HTTP/1.1\r\nHost: x\r\nX-Namegate-Overload-Drill: after-turn\r\n\r\n");
        drillGateRefusesNewcomers();
        answer();
        written();
        send("GET /users/7 HTTP/1.1\r\nHost: x\r\nX-Namegate-Overload-Drill: on-arrival\r\n\r\n");
        assertThat(written()).startsWith("HTTP/1.1 503 ");
        assertThat(passedOn).containsExactly("GET /users/6", "content 0");
        assertThat(registry.get("namegate.overload.shed").tag("when", "drill_on_arrival").counter().count()).isEqualTo(1);
    }

    @Test
    void aDrillRequestArrivingBeforeTheDrillsLineHasWaitedGoesOnToWaitItsTurn() {
        drill.start();
        send("GET /users/7 HTTP/1.1\r\nHost: x\r\nX-Namegate-Overload-Drill: on-arrival\r\n\r\n");
        assertThat(passedOn).containsExactly("GET /users/7", "content 0");
        assertThat(written()).isEmpty();
    }

    @Test
    void duringADrillUnmarkedRequestsAndThoseForTheFilterAndAfterItMarkedOnesGoOnUntouched() {
        drillGateRefusesNewcomers();
        send("GET /users/7 HTTP/1.1\r\nHost: x\r\n\r\n");
        send("GET /users/8 HTTP/1.1\r\nHost: x\r\nX-Namegate-Overload-Drill: after-turn\r\n\r\n");
        drill.end();
        send("GET /users/9 HTTP/1.1\r\nHost: x\r\nX-Namegate-Overload-Drill: on-arrival\r\n\r\n");
        assertThat(passedOn).containsExactly("GET /users/7", "content 0", "GET /users/8", "content 0",
                "GET /users/9", "content 0");
        assertThat(written()).isEmpty();
    }

    @Test
    void aDrillOfAServiceWithoutOverloadProtectionMarksNothing() {
        OverloadProperties p = properties;
        OverloadProperties off = new OverloadProperties(false, p.probeInterval(), p.lagThreshold(), p.shedLagThreshold(),
                p.hold(), p.limitDecrease(), p.limitIncrease(), p.retryAfter(), p.shedMinInFlight(),
                p.shedMinTimeInProgress(), p.limitFloorTime(), p.limitStartTime(), p.shedQueueTime(),
                p.refuseNewcomersAfter(), p.refuseNewcomersFor(), p.refuseNewcomersShare(), p.refuseAgainAfter(),
                p.closedLoopWithin(), p.closedLoopQueueTime(), p.cap());
        assertThat(new OverloadDrill(off, registry, clock::get, () -> 0).start()).isFalse();
    }

    @Test
    void aHeadIsRefusedWithoutABodyAndAConnectionNotKeptAliveIsClosed() {
        gateRefusesNewcomers();
        send("HEAD /users/7 HTTP/1.0\r\n\r\n");
        String response = written();
        assertThat(response).startsWith("HTTP/1.0 503 ").endsWith("\r\n\r\n");
        assertThat(headers(response).get("content-length")).isNotEqualTo("0");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(passedOn).isEmpty();
    }
}
