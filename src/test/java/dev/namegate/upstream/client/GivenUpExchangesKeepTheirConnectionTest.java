package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.reactivestreams.Subscription;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import mockwebserver3.RecordedRequest;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.NoBufferLeaks;
import dev.namegate.upstream.UserLookup;

/**
 * A lookup given up while its answer is on the way (here its caller leaves, as a lost hedge or
 * the deadline leave it) does not take the connection with it: the answer is still read, and the
 * next attempt goes out on the same connection. The pool holds one connection, so the second
 * lookup waits for it: a connection closed by the cancel would show as a second one.
 */
class GivenUpExchangesKeepTheirConnectionTest {

    @RegisterExtension
    final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("John"));
    private TestUpstream test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void anAnswerThatComesAfterItsCallerLeftIsReadAndItsConnectionServesTheNextAttempt() throws InterruptedException {
        test = new TestUpstream(TestUpstream.guardsOff(upstream.baseUrl(), "pool.max-connections", "1"));
        upstream.holdAnswer(1);

        Disposable givenUp = test.client.lookup(1, "req-1", "0af7651916cd43dd8448eb211c80319c").subscribe();
        upstream.awaitRequests(1);
        givenUp.dispose();
        upstream.releaseAnswers();

        StepVerifier.create(test.client.lookup(2, "req-2", "0af7651916cd43dd8448eb211c80319c"))
                .expectNext(new UserLookup.Found(2, "John"))
                .expectComplete()
                .verify(Duration.ofSeconds(10));

        RecordedRequest first = upstream.takeRequest();
        RecordedRequest second = upstream.takeRequest();
        assertThat(second.getConnectionIndex()).as("the second attempt's connection").isEqualTo(first.getConnectionIndex());
        assertThat(second.getExchangeIndex()).as("exchanges on that connection before it").isEqualTo(1);
        assertThat(upstream.requestCount()).isEqualTo(2);
        assertThat(test.counter("namegate.upstream.attempts", "outcome", "success")).as("the given-up attempt is no success")
                .isEqualTo(1);
    }

    /**
     * An attempt given up as it is subscribed (the deadline or a winning hedge, on another thread,
     * just then): WebClient sends an exchange once it is subscribed, asked for or not, and one
     * left unasked never reads its answer's body nor releases it. Cancelled, it leaves no buffer
     * behind. The pool's one connection orders the two: the next exchange gets it only after
     * the first's answer, if it went out, came in whole.
     */
    @Test
    void anAttemptGivenUpAsItIsSubscribedLeavesNoBufferBehind() throws InterruptedException {
        ConnectionProvider oneConnection = ConnectionProvider.builder("one")
                .maxConnections(1)
                .pendingAcquireTimeout(Duration.ofSeconds(2))
                .build();
        WebClient webClient = WebClient.builder()
                .baseUrl(upstream.baseUrl())
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(oneConnection)))
                .build();
        try {
            Mono<String> givenUp = webClient.get().uri("/users/1").exchangeToMono(response -> response.bodyToMono(String.class));
            TimedAttempt.of(givenUp, Duration.ofSeconds(10), Schedulers.parallel(), error -> error, new IgnoredEnd())
                    .subscribe(new BaseSubscriber<>() {
                        @Override
                        protected void hookOnSubscribe(Subscription subscription) {
                            cancel();
                        }
                    });

            StepVerifier.create(webClient.get().uri("/users/2").exchangeToMono(response -> response.bodyToMono(String.class)))
                    .expectNext("{\"name\":\"John\"}")
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
            assertThat(NoBufferLeaks.leaksOfGarbage()).as("buffers nobody released").isEmpty();
        } finally {
            oneConnection.disposeLater().block(Duration.ofSeconds(5));
        }
    }

    private static final class IgnoredEnd implements TimedAttempt.Listener<String> {
        @Override
        public void answered(String value) {
        }

        @Override
        public void failed(Throwable error) {
        }

        @Override
        public void abandoned() {
        }
    }
}
