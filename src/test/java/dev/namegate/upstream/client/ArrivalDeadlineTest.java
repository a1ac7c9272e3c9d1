package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import reactor.core.Disposable;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.VirtualTime;
import dev.namegate.upstream.UpstreamFailure;

/**
 * The deadline counts from the request's arrival: a request that waited (for admission) before
 * its lookup has only the rest of it, and one that waited it all is not sent upstream at all.
 * Deadline 30 s on the virtual clock (the guards-off settings), Netty's own timeouts beyond reach.
 */
class ArrivalDeadlineTest {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @RegisterExtension
    final MockUpstream upstream = MockUpstream.queued();
    private final VirtualTimeScheduler clock = VirtualTime.scheduler();

    private TestUpstream client() {
        return new TestUpstream(TestUpstream.guardsOff(upstream.baseUrl()), clock, OwnLoad.NONE);
    }

    @AfterEach
    void releaseAndStopTheClock() {
        upstream.releaseAnswers();
        clock.dispose();
    }

    @Test
    void aLookupForARequestThatWaitedEndsWhenItsDeadlineFromArrivalDoes() {
        upstream.enqueue(MockUpstream.name("John"));
        upstream.holdAnswer(1);
        AtomicReference<Object> outcome = new AtomicReference<>();
        try (TestUpstream test = client()) {
            Disposable lookup = test.client.lookup(1, "req", TRACE_ID, Duration.ofSeconds(25).toNanos())
                    .subscribe(outcome::set, outcome::set);
            upstream.awaitRequests(1);
            clock.advanceTimeBy(Duration.ofMillis(4_999));
            assertThat(outcome.get()).as("5 s of its 30 s were left").isNull();
            clock.advanceTimeBy(Duration.ofMillis(1));
            assertThat(outcome.get()).isInstanceOfSatisfying(UpstreamFailure.class,
                    failure -> assertThat(failure.kind()).isEqualTo(UpstreamFailure.Kind.DEADLINE));
            lookup.dispose();
        }
    }

    @Test
    void aRequestThatWaitedItsWholeDeadlineIsNotSentUpstream() {
        try (TestUpstream test = client()) {
            StepVerifier.create(test.client.lookup(1, "req", TRACE_ID, Duration.ofSeconds(31).toNanos()))
                    .expectErrorSatisfies(error -> assertThat(((UpstreamFailure) error).kind())
                            .isEqualTo(UpstreamFailure.Kind.DEADLINE))
                    .verify(Duration.ofSeconds(5));
        }
        assertThat(upstream.requestCount()).isZero();
    }
}
