package dev.namegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;

import io.netty.channel.embedded.EmbeddedChannel;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/** The request id filter notes each request's arrival before anything after it can make it wait. */
class ArrivalTest {

    @Test
    void theArrivalIsNotedBeforeTheRestOfTheChainRuns() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/1"));
        AtomicLong seenByChain = new AtomicLong(-1);
        long before = System.nanoTime();

        new RequestIdFilter().filter(exchange, e -> {
            RequestId.Stamp stamp = RequestId.stampOf(e);
            seenByChain.set(stamp == null ? -1 : stamp.arrivedNanos());
            return Mono.empty();
        }).block();

        assertThat(seenByChain.get()).isBetween(before, System.nanoTime());
        assertThat(Arrival.elapsedNanos(exchange)).isBetween(0L, System.nanoTime() - before);
    }

    @Test
    void aRequestKeptWaitingOnItsConnectionArrivedWhenItWasReadAndTheNextOneOnItWhenItComes() {
        EmbeddedChannel channel = new EmbeddedChannel();
        long read = System.nanoTime() - 5_000_000;
        channel.attr(Arrival.WAITED_SINCE).set(read);
        MockServerWebExchange waited = MockServerWebExchange.from(MockServerHttpRequest.get("/users/1"));
        MockServerWebExchange next = MockServerWebExchange.from(MockServerHttpRequest.get("/users/2"));
        ServerWebExchange onConnection = waited.mutate().request(new OnConnection(Connection.from(channel))).build();
        ServerWebExchange nextOnConnection = next.mutate().request(new OnConnection(Connection.from(channel))).build();
        AtomicLong seenByChain = new AtomicLong(-1);

        new RequestIdFilter().filter(onConnection, e -> {
            seenByChain.set(RequestId.stampOf(e).arrivedNanos());
            return Mono.empty();
        }).block();
        long before = System.nanoTime();
        new RequestIdFilter().filter(nextOnConnection, e -> Mono.empty()).block();

        assertThat(seenByChain.get()).isEqualTo(read);
        assertThat(Arrival.elapsedNanos(onConnection)).isGreaterThanOrEqualTo(5_000_000);
        assertThat(RequestId.stampOf(nextOnConnection).arrivedNanos()).isBetween(before, System.nanoTime());
        channel.finishAndReleaseAll();
    }

    /** A request that came on {@code connection}, as Reactor Netty's do. */
    private static final class OnConnection extends AbstractServerHttpRequest {

        private final Connection connection;

        OnConnection(Connection connection) {
            super(HttpMethod.GET, URI.create("http://localhost/users/1"), null, new HttpHeaders());
            this.connection = connection;
        }

        @Override
        protected MultiValueMap<String, HttpCookie> initCookies() {
            return new LinkedMultiValueMap<>();
        }

        @Override
        protected SslInfo initSslInfo() {
            return null;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return Flux.empty();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getNativeRequest() {
            return (T) connection;
        }
    }

    @Test
    void aRequestWhoseArrivalWasNotNotedHasSpentNothing() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/1"));
        assertThat(Arrival.elapsedNanos(exchange)).isZero();
    }
}
