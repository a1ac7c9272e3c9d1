package dev.namegate.simulator;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.NettyOutbound;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The request handler shared by all live instances of one simulator.
 *
 * <p>Per request outside {@code /_sim}, in this order (the first that applies answers):
 * <ol>
 *   <li>count the attempt; decide {@code Connection: close} (closing mode), which applies to
 *       whatever answer follows;</li>
 *   <li>not {@code POST /{digits}} → 400 (a router would refuse it before any business logic);</li>
 *   <li>outage → 500 {@code Internal error};</li>
 *   <li>no token in the bucket → 429, with {@code Retry-After} if configured (a real limiter
 *       sits in front of the service, so it also limits requests for unknown ids);</li>
 *   <li>id 0 or above {@code users} → 500 {@code User not exists.};</li>
 *   <li>flaky → 500 {@code Internal error}, for known ids only, so "User not exists." stays a
 *       deterministic answer a client can stop retrying on;</li>
 *   <li>slow → wait {@code slowDelay} without blocking the event loop;</li>
 *   <li>200 {@code {"name":"..."}}.</li>
 * </ol>
 * No logging and no per-request allocation beyond Netty's own and one buffer wrapper: the
 * bodies are precomputed byte arrays.
 *
 * <p>Longer than most classes: it plays every failure mode of the internal service, one short branch each.
 */
final class SimulatorHandler implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

    private static final String ADMIN_PREFIX = "/_sim/";
    private static final AsciiString JSON = AsciiString.cached("application/json");
    private static final AsciiString TEXT = AsciiString.cached("text/plain; charset=utf-8");
    private static final byte[] USER_NOT_EXISTS = ascii("User not exists.");
    private static final byte[] INTERNAL_ERROR = ascii("Internal error");
    private static final byte[] TOO_MANY_REQUESTS = ascii("Too many requests");
    private static final byte[] BAD_REQUEST = ascii("Expected POST /{id} with a decimal id");
    private static final long TOO_LONG = -2;
    private static final long NOT_AN_ID = -1;
    // 18 digits always fit a long; longer digit strings are valid ids that no user has.
    private static final int MAX_PARSED_DIGITS = 18;

    /** Makes the addresses that can be dead dead or live; blocks while it binds and closes sockets. */
    @FunctionalInterface
    interface DeadAddresses {
        void dead(boolean dead);
    }

    private final Counters counters;
    private final DeadAddresses deadAddresses;
    private final AtomicReference<Behaviour> behaviour;
    private final Object switching = new Object();

    SimulatorHandler(SimulatorSettings settings, Counters counters, DeadAddresses deadAddresses) {
        this.counters = counters;
        this.deadAddresses = deadAddresses;
        this.behaviour = new AtomicReference<>(Behaviour.of(settings));
    }

    SimulatorSettings settings() {
        return behaviour.get().settings;
    }

    /**
     * Makes the addresses that can be dead dead or live as {@code next} says, then atomically
     * replaces the behaviour; requests in flight finish with the old one. The rate limit starts
     * again with a full bucket. Blocking (sockets are bound and closed), so never on an event
     * loop; one switch at a time.
     *
     * @throws IllegalArgumentException if {@code next} would need other sockets
     */
    void switchTo(SimulatorSettings next) {
        synchronized (switching) {
            if (!next.sameTopology(settings())) {
                throw new IllegalArgumentException("port, instances and dead-instances are fixed when the simulator starts");
            }
            deadAddresses.dead(next.badInstances());
            behaviour.set(Behaviour.of(next));
        }
    }

    @Override
    public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
        String uri = request.uri();
        if (uri.startsWith(ADMIN_PREFIX)) {
            return admin(request, response);
        }
        Behaviour b = behaviour.get();
        SimulatorSettings s = b.settings;
        counters.attempts.increment();
        if (chance(s.closeFraction())) {
            counters.closed.increment();
            response.keepAlive(false);
        }
        long id = HttpMethod.POST.equals(request.method()) ? parseId(uri) : NOT_AN_ID;
        if (id == NOT_AN_ID) {
            counters.badRequest.increment();
            return send(response, HttpResponseStatus.BAD_REQUEST, TEXT, BAD_REQUEST);
        }
        if (s.outage()) {
            counters.outage500.increment();
            return send(response, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, INTERNAL_ERROR);
        }
        if (b.bucket != null && !b.bucket.tryAcquire(System.nanoTime())) {
            counters.rateLimited.increment();
            if (b.retryAfter != null) {
                response.header(HttpHeaderNames.RETRY_AFTER, b.retryAfter);
            }
            return send(response, HttpResponseStatus.TOO_MANY_REQUESTS, TEXT, TOO_MANY_REQUESTS);
        }
        if (id == TOO_LONG || id == 0 || id > s.users()) {
            counters.notFound.increment();
            return send(response, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, USER_NOT_EXISTS);
        }
        if (chance(s.failRate())) {
            counters.transient500.increment();
            return send(response, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, INTERNAL_ERROR);
        }
        byte[] body = NameBodies.of(id);
        if (chance(s.slowFraction())) {
            counters.delayed.increment();
            // Mono.delay runs on Reactor's parallel scheduler; Netty moves the write back to
            // the connection's event loop, which never waits.
            return Mono.delay(s.slowDelay()).then(Mono.defer(() -> {
                counters.ok.increment();
                return send(response, HttpResponseStatus.OK, JSON, body).then();
            }));
        }
        counters.ok.increment();
        return send(response, HttpResponseStatus.OK, JSON, body);
    }

    /**
     * The id of {@code /{digits}} (query string ignored), {@link #TOO_LONG} for more digits than
     * a long holds, or {@link #NOT_AN_ID}. Hand-written to avoid substring and exception
     * allocations on the hot path.
     */
    static long parseId(String uri) {
        int length = uri.length();
        int end = uri.indexOf('?');
        if (end < 0) {
            end = length;
        }
        if (end < 2 || uri.charAt(0) != '/') {
            return NOT_AN_ID;
        }
        long id = 0;
        for (int i = 1; i < end; i++) {
            char c = uri.charAt(i);
            if (c < '0' || c > '9') {
                return NOT_AN_ID;
            }
            if (i <= MAX_PARSED_DIGITS) {
                id = id * 10 + (c - '0');
            }
        }
        return end - 1 > MAX_PARSED_DIGITS ? TOO_LONG : id;
    }

    private Publisher<Void> admin(HttpServerRequest request, HttpServerResponse response) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.path();
        HttpMethod method = request.method();
        if (path.equals("/_sim/counters") && HttpMethod.GET.equals(method)) {
            return send(response, HttpResponseStatus.OK, JSON, utf8(counters.snapshot().toJson()));
        }
        if (path.equals("/_sim/counters/reset") && HttpMethod.POST.equals(method)) {
            counters.reset();
            return response.status(HttpResponseStatus.NO_CONTENT).send();
        }
        if (path.equals("/_sim/scenario") && HttpMethod.GET.equals(method)) {
            return sendSettings(response, settings());
        }
        if (path.equals("/_sim/scenario") && HttpMethod.PUT.equals(method)) {
            try {
                Map<String, String> params = new LinkedHashMap<>();
                for (Map.Entry<String, List<String>> param : query.parameters().entrySet()) {
                    for (String value : param.getValue()) {
                        SimulatorSettingsParser.put(params, param.getKey(), value);
                    }
                }
                SimulatorSettings next = SimulatorSettingsParser.parseRuntime(params, settings());
                // Binding and closing the addresses that can be dead blocks: not on this event loop.
                return Mono.fromCallable(() -> switchAnswer(next))
                        .subscribeOn(Schedulers.boundedElastic())
                        .flatMap(answer -> send(response, answer.status(), TEXT, answer.body()).then());
            } catch (IllegalArgumentException e) {
                return badScenario(response, e);
            }
        }
        return send(response, HttpResponseStatus.NOT_FOUND, TEXT,
                utf8("Known: GET /_sim/counters, POST /_sim/counters/reset, GET|PUT /_sim/scenario\n"));
    }

    private record Answer(HttpResponseStatus status, byte[] body) {
    }

    /** Switches and says how it went: the new settings, 400 for a bad request, 500 if a port could not be bound. */
    private Answer switchAnswer(SimulatorSettings next) {
        try {
            switchTo(next);
            return new Answer(HttpResponseStatus.OK, settingsBody(next));
        } catch (IllegalArgumentException e) {
            return new Answer(HttpResponseStatus.BAD_REQUEST, badScenarioBody(e));
        } catch (RuntimeException e) {
            return new Answer(HttpResponseStatus.INTERNAL_SERVER_ERROR, utf8("switch failed: " + e + "\n"));
        }
    }

    private static NettyOutbound badScenario(HttpServerResponse response, IllegalArgumentException e) {
        return send(response, HttpResponseStatus.BAD_REQUEST, TEXT, badScenarioBody(e));
    }

    private static byte[] badScenarioBody(IllegalArgumentException e) {
        return utf8(e.getMessage() + "\n\n" + SimulatorSettingsParser.USAGE);
    }

    private static NettyOutbound sendSettings(HttpServerResponse response, SimulatorSettings settings) {
        return send(response, HttpResponseStatus.OK, TEXT, settingsBody(settings));
    }

    private static byte[] settingsBody(SimulatorSettings settings) {
        return utf8(String.join(" ", SimulatorSettingsParser.format(settings)) + "\n");
    }

    private static NettyOutbound send(HttpServerResponse response, HttpResponseStatus status, AsciiString type,
            byte[] body) {
        // wrappedBuffer shares the array instead of copying it; Netty never writes into it.
        return response.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, type)
                .sendObject(Unpooled.wrappedBuffer(body));
    }

    private static boolean chance(double probability) {
        return probability > 0 && (probability >= 1 || ThreadLocalRandom.current().nextDouble() < probability);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Settings plus what is derived from them once, swapped as one value. */
    private static final class Behaviour {
        final SimulatorSettings settings;
        final TokenBucket bucket;
        final AsciiString retryAfter;

        private Behaviour(SimulatorSettings settings, TokenBucket bucket, AsciiString retryAfter) {
            this.settings = settings;
            this.bucket = bucket;
            this.retryAfter = retryAfter;
        }

        static Behaviour of(SimulatorSettings settings) {
            TokenBucket bucket = settings.rateLimited()
                    ? new TokenBucket(settings.rateLimit(), settings.rateBurst(), System.nanoTime())
                    : null;
            AsciiString retryAfter = settings.retryAfterSeconds() > 0
                    ? AsciiString.of(Integer.toString(settings.retryAfterSeconds()))
                    : null;
            return new Behaviour(settings, bucket, retryAfter);
        }
    }
}
