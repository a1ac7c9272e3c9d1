package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

import dev.namegate.upstream.UserLookup;

/**
 * Which pooled connection an attempt takes, and what becomes of the connections a burst opened.
 * The internal service is a Reactor Netty server that counts its open connections and notes the
 * client port of each request: one port is one connection.
 */
class PoolLeasingTest {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

    private final AtomicInteger open = new AtomicInteger();
    private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();
    private volatile Sinks.Empty<Void> held = Sinks.empty();
    private DisposableServer server;
    private TestUpstream test;

    @BeforeEach
    void start() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .doOnChannelInit((observer, channel, address) -> {
                    open.incrementAndGet();
                    channel.closeFuture().addListener(closed -> open.decrementAndGet());
                })
                .handle((request, response) -> {
                    clientPorts.add(((InetSocketAddress) request.remoteAddress()).getPort());
                    return held.asMono().then(response.header("Content-Type", "application/json")
                            .sendString(Mono.just("{\"name\":\"John\"}")).then());
                })
                .bindNow();
    }

    @AfterEach
    void stop() {
        held.tryEmitEmpty();
        if (test != null) {
            test.close();
        }
        server.disposeNow();
    }

    @Test
    void theConnectionThatWentIdleLastServesTheNextAttempts() {
        test = new TestUpstream(TestUpstream.guardsOff(baseUrl()));
        openThreeConnections();

        lookUpOneAfterAnother(3);

        assertThat(clientPorts.subList(3, 6)).as("the connections of three attempts one after another")
                .containsOnly(clientPorts.get(5));
        assertThat(open.get()).as("connections the burst opened, still open").isEqualTo(3);
    }

    @Test
    void inTurnEveryOpenConnectionServesAnAttempt() {
        test = new TestUpstream(TestUpstream.guardsOff(baseUrl(), "pool.leasing", "fifo"));
        openThreeConnections();

        lookUpOneAfterAnother(3);

        assertThat(clientPorts.subList(3, 6)).as("the connections of three attempts one after another")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(clientPorts.subList(0, 3));
    }

    @Test
    void connectionsIdleLongerThanTheMaxIdleTimeAreClosedThoughNoAttemptTakesThem() {
        test = new TestUpstream(TestUpstream.guardsOff(baseUrl(), "pool.max-idle-time", "200ms",
                "pool.eviction-interval", "50ms"));
        openThreeConnections();

        // the pool's eviction runs on its own timer, in real time; this waits for it, bounded
        StepVerifier.create(Flux.interval(Duration.ofMillis(20)).map(tick -> open.get()).filter(count -> count == 0).next())
                .expectNext(0)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(clientPorts).as("no attempt after the burst").hasSize(3);
    }

    /** Three attempts at once, their answers held until all three have arrived: three connections. */
    private void openThreeConnections() {
        held = Sinks.empty();
        Flux<UserLookup> burst = Flux.range(1, 3).flatMap(id -> test.client.lookup(id, "req-" + id, TRACE, 0));
        StepVerifier.create(burst)
                .then(() -> {
                    StepVerifier.create(Flux.interval(Duration.ofMillis(5)).filter(tick -> clientPorts.size() == 3).next())
                            .expectNextCount(1).expectComplete().verify(Duration.ofSeconds(10));
                    held.tryEmitEmpty();
                })
                .expectNextCount(3)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(clientPorts).as("the burst's connections").doesNotHaveDuplicates();
        assertThat(open.get()).isEqualTo(3);
    }

    private void lookUpOneAfterAnother(int lookups) {
        for (int id = 10; id < 10 + lookups; id++) {
            StepVerifier.create(test.client.lookup(id, "req-" + id, TRACE, 0))
                    .expectNext(new UserLookup.Found(id, "John"))
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
        }
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }
}
