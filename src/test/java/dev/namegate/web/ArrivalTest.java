package dev.namegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import reactor.core.publisher.Mono;

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
    void aRequestWhoseArrivalWasNotNotedHasSpentNothing() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/users/1"));
        assertThat(Arrival.elapsedNanos(exchange)).isZero();
    }
}
