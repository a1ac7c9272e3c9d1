package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.channel.EventLoop;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import dev.namegate.time.EventLoopTimers;

/**
 * An answer that arrives while the client's event loop is busy with another connection is read
 * before the attempt's timeouts fire, though they came due meanwhile: the loop runs its due timers
 * after a pass over its sockets, and that pass began before the answer came. Real sockets on one
 * client loop: {@code /soon} answers after {@link #ANSWER_DELAY}; {@code /now} at once, and the
 * client keeps its loop busy for {@link #BUSY} on that answer (as a loop working through hundreds
 * of connections would be), past the answer of {@code /soon} and its {@link #TIMEOUT}. The controls
 * show the same timeouts without reading first throw that answer away.
 */
class AnswersReadBeforeTimeoutsTest {

    private static final Duration ANSWER_DELAY = Duration.ofMillis(20);
    private static final Duration TIMEOUT = Duration.ofMillis(40);
    private static final Duration BUSY = Duration.ofMillis(200);

    private static LoopResources serverLoops;
    private static DisposableServer server;
    private static LoopResources clientLoop;
    private static ConnectionProvider connections;
    private static Scheduler onTheClientLoop;

    @BeforeAll
    static void start() {
        serverLoops = LoopResources.create("answers-server", 1, true);
        server = HttpServer.create().host("127.0.0.1").port(0).runOn(serverLoops)
                .route(routes -> routes
                        .get("/soon", (request, response) -> Mono.delay(ANSWER_DELAY)
                                .then(response.sendString(Mono.just("soon")).then()))
                        .get("/now", (request, response) -> response.sendString(Mono.just("now"))))
                .bindNow();
        clientLoop = LoopResources.create("answers-client", 1, true);
        connections = ConnectionProvider.create("answers", 4);
        EventLoop loop = clientLoop.onClient(true).next();
        onTheClientLoop = Schedulers.fromExecutor(loop);
    }

    @AfterAll
    static void stop() {
        server.disposeNow();
        connections.disposeLater().block(Duration.ofSeconds(5));
        clientLoop.disposeLater(Duration.ZERO, Duration.ofSeconds(1)).block(Duration.ofSeconds(5));
        serverLoops.disposeLater(Duration.ZERO, Duration.ofSeconds(1)).block(Duration.ofSeconds(5));
    }

    @Test
    void theResponseTimeoutLetsTheLoopReadAnAnswerThatCameWhileItWasBusy() {
        HttpClient client = client()
                .doOnChannelInit((observer, channel, address) -> ReadFirstResponseTimeout.install(channel))
                .doAfterRequest((request, connection) -> ReadFirstResponseTimeout.arm(connection, TIMEOUT));

        assertThat(soonWhileTheLoopIsBusy(client, UnaryOperator.identity())).isEqualTo("soon");
    }

    @Test
    void reactorNettysOwnResponseTimeoutThrowsThatAnswerAway() {
        HttpClient client = client().responseTimeout(TIMEOUT);

        assertThat(soonWhileTheLoopIsBusy(client, UnaryOperator.identity())).isEqualTo("ReadTimeoutException");
    }

    @Test
    void aTimeoutReadingFirstLetsTheLoopReadAnAnswerThatCameWhileItWasBusy() {
        Scheduler readingFirst = EventLoopTimers.readingFirst(new EventLoopTimers(Schedulers.parallel()));

        assertThat(soonWhileTheLoopIsBusy(client(), soon -> soon.timeout(TIMEOUT, readingFirst))).isEqualTo("soon");
    }

    @Test
    void aPlainLoopTimeoutThrowsThatAnswerAway() {
        Scheduler plain = new EventLoopTimers(Schedulers.parallel());

        assertThat(soonWhileTheLoopIsBusy(client(), soon -> soon.timeout(TIMEOUT, plain))).isEqualTo("TimeoutException");
    }

    @Test
    void readingFirstLeavesAnyOtherSchedulerAsItIs() {
        assertThat(EventLoopTimers.readingFirst(Schedulers.parallel())).isSameAs(Schedulers.parallel());
    }

    private static HttpClient client() {
        return HttpClient.create(connections).runOn(clientLoop).baseUrl("http://127.0.0.1:" + server.port());
    }

    /** What {@code /soon} gave (its body or its error's name) while {@code /now}'s answer kept the loop busy. */
    private static String soonWhileTheLoopIsBusy(HttpClient client, UnaryOperator<Mono<String>> timeout) {
        Mono<String> soon = timeout.apply(client.get().uri("/soon").responseContent().aggregate().asString())
                .onErrorResume(error -> Mono.just(error.getClass().getSimpleName()));
        Mono<String> now = client.get().uri("/now").responseContent().aggregate().asString()
                .doOnNext(body -> keepTheLoopBusy());
        // subscribed on the loop, as a request's handling is: its timers are the loop's
        return Mono.zip(soon, now).map(both -> both.getT1())
                .subscribeOn(onTheClientLoop)
                .block(Duration.ofSeconds(5));
    }

    private static void keepTheLoopBusy() {
        long end = System.nanoTime() + TimeUnit.NANOSECONDS.convert(BUSY);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
