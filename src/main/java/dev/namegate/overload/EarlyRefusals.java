package dev.namegate.overload;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import dev.namegate.hardening.SecurityHeadersFilter;
import dev.namegate.web.RequestId;

/**
 * Refuses public requests on the connection, before WebFlux builds an exchange, while the
 * {@link AdmissionGate} refuses newcomers anyway: when more requests arrive than the core can
 * even turn away through WebFlux (a parse, an exchange, the filters, a problem written through the
 * codecs), the unread ones queue in the sockets where no gate sees them, and every answer comes
 * too late. A refusal here is the same 503 {@code overloaded} problem, with the same headers,
 * written as prepared bytes with a fresh request id. It is counted as the gate's refusals are, and
 * in {@code http.server.requests} with the tags WebFlux gives the route, so the availability
 * objective still counts every request. Shared by the connections of one server; see
 * {@link EarlyRefusal} for the handler on each.
 */
public final class EarlyRefusals {

    /** The prefix of the lookups: the only requests the gate holds back or refuses, here and in {@link LoadShedFilter}. */
    static final String PUBLIC_PREFIX = "/users/";
    /** The lookups' route, as WebFlux tags their answers in {@code http.server.requests}. */
    static final String ROUTE = "/users/{id}";

    private final boolean enabled;
    /** Never changed after construction: copied into each refusal. */
    private final DefaultHttpHeaders fixedHeaders;
    private final OverloadDrill drill;
    private final Door door;
    private final Door drillDoor;
    private final LongSupplier nanoClock;
    private final long refuseAgainAfterNanos;
    private final long closedLoopWithinNanos;

    public EarlyRefusals(AdmissionGate gate, OverloadDrill drill, OverloadProperties properties,
            MeterRegistry registry, LongSupplier nanoClock) {
        this.drill = drill;
        this.enabled = properties.enabled();
        this.nanoClock = nanoClock;
        this.refuseAgainAfterNanos = properties.refuseAgainAfter().toNanos();
        this.closedLoopWithinNanos = properties.closedLoopWithin().toNanos();
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        SecurityHeadersFilter.HEADERS.forEach(headers::set);
        headers.set(HttpHeaderNames.CONTENT_TYPE, MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(properties.retryAfter().toSeconds()));
        this.fixedHeaders = headers;
        this.door = new Door(gate, LoadShedFilter.shedCounter(registry, LoadShedFilter.ON_ARRIVAL),
                answers(registry, "GET", ROUTE), answers(registry, "HEAD", ROUTE), closedLoopWithinNanos);
        // the drill is a closed loop whose marked requests stand for an open loop's newcomers
        this.drillDoor = new Door(drill.gate(), LoadShedFilter.shedCounter(registry, OverloadDrill.ON_ARRIVAL),
                answers(registry, "GET", OverloadDrill.ROUTE), answers(registry, "HEAD", OverloadDrill.ROUTE), 0);
    }

    /**
     * The door {@code request} is refused at, or {@code null} when it is not refused: it is a
     * lookup, and its gate (the drill's for a request of the drill) would only make it wait to
     * refuse it.
     */
    Door refusal(HttpRequest request) {
        // The path before the gate: probes come during every overload, and a request the JIT has
        // only seen refused while the gate refuses (the drill's are all lookups) would be a trap
        // whose recompile of this connection's read path took 400 ms of the core at an overload's
        // onset (docs/benchmarks.md). Outside a drill, a prefix and two volatile reads.
        if (!request.uri().startsWith(PUBLIC_PREFIX)) {
            return null;
        }
        Door at = drill.running() && OverloadDrill.onArrival(request.headers().get(OverloadDrill.HEADER)) ? drillDoor : door;
        return at.gate().refusingNewcomers() && enabled && request.decoderResult().isSuccess()
                && (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) ? at : null;
    }

    /** Now, on the clock the gate runs on. */
    long now() {
        return nanoClock.getAsLong();
    }

    /** How long after a refusal on a connection its next request goes to the gate instead. */
    long refuseAgainAfterNanos() {
        return refuseAgainAfterNanos;
    }

    /** How long after an answer on a connection its next request goes to the gate instead, at the service's door. */
    long closedLoopWithinNanos() {
        return closedLoopWithinNanos;
    }

    /**
     * Writes the refusal of {@code request}, closing the connection after it unless kept alive. A
     * drill's refusal takes this same code with a gate and meters of the same kinds, so what the
     * JIT compiled during the drill still holds in an overload.
     */
    void refuse(ChannelHandlerContext ctx, HttpRequest request, Door at) {
        long started = System.nanoTime();
        boolean head = request.method() == HttpMethod.HEAD;
        String requestId = RequestId.create();
        byte[] json = LoadShedFilter.PROBLEM.body(requestId);
        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(json);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                HttpResponseStatus.SERVICE_UNAVAILABLE, body);
        response.headers().add(fixedHeaders).set(RequestId.HEADER, requestId)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        String correlation = RequestId.correlation(request.headers().get(RequestId.HEADER));
        if (correlation != null) {
            response.headers().set(RequestId.CORRELATION_HEADER, correlation);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        // Timed once written, by a listener: a timer rotates its maximum once a window, a branch
        // the drill's few seconds may not take, and inlined here its trap recompiled every
        // connection's read path in an overload, 336 ms of the core (docs/benchmarks.md).
        Timer answers = head ? at.headAnswers() : at.getAnswers();
        written.addListener(future -> answers.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        at.gate().refusedOnArrival();
        at.shed().increment();
    }

    /**
     * A gate and where its refusals on arrival are counted: the service's, or a drill's apart from
     * them; a request this soon after an answer on its connection is not refused at it.
     */
    record Door(AdmissionGate gate, Counter shed, Timer getAnswers, Timer headAnswers, long closedLoopWithinNanos) {
    }

    /**
     * The timer WebFlux records the route's answers in, with the tags it gives a 503 of the
     * route: the same meter, so dashboards and the availability objective count these too.
     */
    private static Timer answers(MeterRegistry registry, String method, String route) {
        return Timer.builder("http.server.requests")
                .tag("error", "none")
                .tag("exception", "none")
                .tag("method", method)
                .tag("outcome", "SERVER_ERROR")
                .tag("status", "503")
                .tag("uri", route)
                .register(registry);
    }

}
