package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import reactor.core.Disposable;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.util.context.Context;

class CancelStopsHereTest {

    private final List<Throwable> dropped = new ArrayList<>();

    @AfterEach
    void resetHooks() {
        Hooks.resetOnErrorDropped();
        DroppedErrors.install();
    }

    @Test
    void valuesAndErrorsPassWhileSubscribed() {
        StepVerifier.create(CancelStopsHere.above(Mono.just("John"))).expectNext("John").verifyComplete();
        StepVerifier.create(CancelStopsHere.above(Mono.error(new IOException("closed")))).verifyError(IOException.class);
    }

    @Test
    void theSourceSeesTheSubscribersContext() {
        Mono<String> source = Mono.deferContextual(context -> Mono.just(context.getOrDefault("request", "none")));
        StepVerifier.create(CancelStopsHere.above(source).contextWrite(Context.of("request", "r-1")))
                .expectNext("r-1")
                .verifyComplete();
    }

    @Test
    void aCancelDoesNotReachTheSourceAndWhatItSignalsAfterGoesNowhere() {
        Hooks.onErrorDropped(dropped::add);
        Sinks.One<String> answer = Sinks.one();
        PublisherProbe<String> source = PublisherProbe.of(answer.asMono());
        List<String> received = new ArrayList<>();

        List<Throwable> failed = new ArrayList<>();
        Disposable subscription = CancelStopsHere.above(source.mono()).subscribe(received::add, failed::add);
        subscription.dispose();
        source.assertWasSubscribed();
        source.assertWasNotCancelled();

        IOException late = new IOException("closed after the cancel");
        answer.tryEmitError(late);
        assertThat(received).isEmpty();
        assertThat(failed).isEmpty();
        assertThat(dropped).as("not reported as dropped: nobody waits for it").isEmpty();
    }
}
