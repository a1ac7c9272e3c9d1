package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The generator against a tiny in-process Reactor Netty server whose behaviour each test picks:
 * answer at once, delay, stall past the client timeout, or lie about names. On real time, because
 * the generator's wall-clock schedule is what is tested: a timing of the bench tooling, so an
 * integration test, run after the unit tests.
 */
class OpenLoopLoadIT {

    private static final long USERS = 1000;
    private static final LongFunction<String> NAMES = id -> "Ünïcode \"user\" \\" + id;
    private static final ResponseCheck PUBLIC_API = ResponseChecks.publicApi(USERS, NAMES);

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong special = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private DisposableServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void sendsRateTimesDurationRequestsAndJudgesCorrectAnswers() throws Exception {
        start(this::answerName);

        LoadResult result = run(LoadPlan.of(200, Duration.ofSeconds(1)));

        assertThat(received.get()).isBetween(199L, 201L);
        assertThat(result.requests()).isBetween(199L, 201L);
        assertThat(result.correct()).isEqualTo(result.requests());
        assertThat(result.correctWithinSlo()).isEqualTo(result.requests());
        assertThat(result.wrong()).isZero();
        assertThat(result.failed()).isZero();
        assertThat(result.latencyMicros().getTotalCount()).isEqualTo(result.requests());
    }

    @Test
    void measuresLatencyFromTheIntendedSendTime() throws Exception {
        start((request, response) -> Mono.delay(Duration.ofMillis(50)).then(answerName(request, response).then()));

        LoadResult result = run(LoadPlan.of(200, Duration.ofSeconds(1)));

        assertThat(result.percentileMillis(50)).isGreaterThanOrEqualTo(50.0);
        // not whether 50 ms answers stay within the SLO: on a busy machine that is a timing target
        assertThat(result.correct()).isEqualTo(result.requests());
    }

    @Test
    void queueingBehindASlowServerIsCountedNotOmitted() throws Exception {
        // One connection and 20 ms per answer serve 50/s; asked for 100/s for 0.6 s, the last of the
        // 60 requests waits ~0.6 s. A closed loop would report ~20 ms; the schedule-based clock must not.
        start((request, response) -> Mono.delay(Duration.ofMillis(20)).then(answerName(request, response).then()));

        LoadResult result;
        try (OpenLoopLoad load = new OpenLoopLoad(Target.publicApi(baseUrl(), "k"), 1, LoadPlan.DEFAULT_TIMEOUT)) {
            result = load.run(LoadPlan.of(100, Duration.ofMillis(600)), IdMix.knownOnly(USERS), PUBLIC_API);
        }

        assertThat(result.correct()).isEqualTo(result.requests());
        assertThat(result.maxMillis()).isGreaterThan(400.0);
        assertThat(result.correctWithinSlo()).isLessThan(result.requests() / 2);
        // from the actual send each answer took its 20 ms: the wait for the one connection is the generator's
        assertThat(result.answeredMicros().getTotalCount()).isEqualTo(result.requests());
        assertThat(result.answeredPercentileMillis(100)).isLessThan(200.0);
    }

    @Test
    void requestsStalledPastTheClientTimeoutCountAsFailedWithTheirLatency() throws Exception {
        start((request, response) -> {
            if (idOf(request) % 5 == 0) {
                special.incrementAndGet();
                return Mono.delay(Duration.ofSeconds(3)).then(answerName(request, response).then());
            }
            return answerName(request, response);
        });

        LoadResult result;
        try (OpenLoopLoad load = new OpenLoopLoad(Target.publicApi(baseUrl(), "k"), 512, Duration.ofMillis(300))) {
            result = load.run(LoadPlan.of(200, Duration.ofSeconds(1)), IdMix.knownOnly(USERS), PUBLIC_API);
        }

        assertThat(special.get()).isPositive();
        assertThat(result.failed()).isEqualTo(special.get());
        assertThat(result.correct()).isEqualTo(result.requests() - special.get());
        assertThat(result.maxMillis()).isGreaterThanOrEqualTo(300.0);
        assertThat(result.latencyMicros().getTotalCount()).isEqualTo(result.requests());
    }

    @Test
    void aWrongNameIsJudgedWrong() throws Exception {
        start((request, response) -> {
            long id = idOf(request);
            if (id % 3 == 0) {
                special.incrementAndGet();
                return json(response, 200, "{\"id\":" + id + ",\"name\":\"Mallory\"}", "application/json");
            }
            return answerName(request, response);
        });

        LoadResult result = run(LoadPlan.of(200, Duration.ofSeconds(1)));

        assertThat(special.get()).isPositive();
        assertThat(result.wrong()).isEqualTo(special.get());
        assertThat(result.wrongByStatus()).containsExactly(java.util.Map.entry(200, special.get()));
        assertThat(result.correct()).isEqualTo(result.requests() - special.get());
        assertThat(result.failed()).isZero();
    }

    @Test
    void unknownIdsExpectANotFoundProblem() throws Exception {
        start((request, response) -> {
            long id = idOf(request);
            return id > USERS
                    ? json(response, 404, "{\"status\":404}", "application/problem+json")
                    : answerName(request, response);
        });

        LoadResult result;
        try (OpenLoopLoad load = new OpenLoopLoad(Target.publicApi(baseUrl(), "k"))) {
            result = load.run(LoadPlan.of(200, Duration.ofMillis(500)), new IdMix(USERS, 0.5), PUBLIC_API);
        }

        assertThat(result.correct()).isEqualTo(result.requests());
    }

    @Test
    void cacheHitsAndStaleStandInsAreCountedFromTheCacheStatusHeader() throws Exception {
        AtomicLong hits = new AtomicLong();
        AtomicLong stale = new AtomicLong();
        AtomicLong unmarked = new AtomicLong();
        start((request, response) -> {
            long id = idOf(request);
            switch ((int) (id % 4)) {
                case 0 -> {
                    hits.incrementAndGet();
                    response.header("Cache-Status", "namegate; hit; ttl=42");
                }
                case 1 -> {
                    stale.incrementAndGet();
                    response.header("Cache-Status", "namegate; fwd=stale; fwd-status=502");
                }
                case 2 -> response.header("Cache-Status", "namegate; fwd=miss; stored");
                default -> unmarked.incrementAndGet();
            }
            return answerName(request, response);
        });

        LoadResult result = run(LoadPlan.of(200, Duration.ofSeconds(1)));

        assertThat(hits.get()).isPositive();
        assertThat(stale.get()).isPositive();
        assertThat(result.cache()).isEqualTo(new CacheCounts(result.requests() - unmarked.get(), hits.get(), stale.get()));
        assertThat(result.correct()).isEqualTo(result.requests());
    }

    @Test
    void aPoolOpenedBeforehandServesAPhaseWithoutOpeningMore() throws Exception {
        start(this::answerName);
        LoadResult result;
        try (OpenLoopLoad load = new OpenLoopLoad(Target.publicApi(baseUrl(), "test-key"), 64, Duration.ofSeconds(2))) {
            assertThat(load.openConnections(100, Duration.ofSeconds(10))).as("at most the pool's size").isEqualTo(64);
            result = load.run(LoadPlan.of(200, Duration.ofSeconds(1)), IdMix.knownOnly(USERS), PUBLIC_API);
        }
        assertThat(result.correct()).isEqualTo(result.requests()).isPositive();
        assertThat(connections.get()).as("the pool's, none opened during the phase").isEqualTo(64);
    }

    @Test
    void answersThatCloseTheirConnectionAreFollowedOnNewOnes() throws Exception {
        start((request, response) -> {
            response.keepAlive(false);
            return answerName(request, response);
        });

        LoadResult result = run(LoadPlan.of(200, Duration.ofSeconds(1)));

        assertThat(result.correct()).isEqualTo(result.requests());
        assertThat(result.failed()).isZero();
    }

    @Test
    void aPortThatRefusesConnectionsFailsEveryRequestAndTheRunStillEnds() throws Exception {
        start(this::answerName);
        String refusing = baseUrl();
        server.disposeNow(Duration.ofSeconds(5));
        server = null;

        LoadResult result;
        try (OpenLoopLoad load = new OpenLoopLoad(Target.publicApi(refusing, "k"), 4, Duration.ofMillis(300))) {
            result = load.run(LoadPlan.of(100, Duration.ofMillis(500)), IdMix.knownOnly(USERS), PUBLIC_API);
        }

        assertThat(result.requests()).isEqualTo(50);
        assertThat(result.failed()).isEqualTo(result.requests());
        assertThat(result.failureCauses()).isNotEmpty();
        assertThat(result.failureCauses().keySet()).isSubsetOf("AnnotatedConnectException", "NoConnectionInTime");
        assertThat(result.latencyMicros().getTotalCount()).isEqualTo(result.requests());
    }

    private LoadResult run(LoadPlan plan) throws InterruptedException {
        try (OpenLoopLoad load = new OpenLoopLoad(Target.publicApi(baseUrl(), "test-key"))) {
            return load.run(plan, IdMix.knownOnly(USERS), PUBLIC_API);
        }
    }

    private void start(java.util.function.BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> handler) {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .doOnChannelInit((observer, channel, remote) -> connections.incrementAndGet())
                .handle((request, response) -> {
                    received.incrementAndGet();
                    return handler.apply(request, response);
                })
                .bindNow(Duration.ofSeconds(5));
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    private Mono<Void> answerName(HttpServerRequest request, HttpServerResponse response) {
        long id = idOf(request);
        String name = NAMES.apply(id).replace("\\", "\\\\").replace("\"", "\\\"");
        return json(response, 200, "{\"id\":" + id + ",\"name\":\"" + name + "\"}", "application/json");
    }

    private static Mono<Void> json(HttpServerResponse response, int status, String body, String contentType) {
        return response.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, contentType)
                .sendByteArray(Mono.just(body.getBytes(StandardCharsets.UTF_8)))
                .then();
    }

    private static long idOf(HttpServerRequest request) {
        String uri = request.uri();
        return Long.parseLong(uri.substring(uri.lastIndexOf('/') + 1));
    }
}
