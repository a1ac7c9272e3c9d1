package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import mockwebserver3.MockResponse;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.VirtualTime;
import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UserLookup;

/**
 * The internal service's {@code Retry-After} on a 429, through the client: a date is waited for
 * (virtual time starts at {@link VirtualTime#START}, 2030-01-01T00:00:00Z), a past date not at
 * all, a negative or garbled value is taken as absent (the backoff, 10 ms here, decides), and a
 * wait beyond the deadline ends the lookup at once with that wait. {@code RetryAfterTest} has the
 * parser's every case.
 */
class RetryAfterThroughTheClientTest {

    private static final UserLookup JOHN = new UserLookup.Found(1, "John");

    @RegisterExtension
    final MockUpstream upstream = MockUpstream.queued();
    private final VirtualTimeScheduler clock = VirtualTime.scheduler();
    private TestUpstream test;

    @BeforeEach
    void start() {
        test = new TestUpstream(TestUpstream.guardsOff(upstream.baseUrl(),
                "backoff.base", "10ms", "backoff.cap", "10ms", "backoff.jitter", "false"), clock, OwnLoad.NONE);
    }

    @AfterEach
    void stop() {
        test.close();
        clock.dispose();
    }

    private static MockResponse rateLimited(String retryAfter) {
        return new MockResponse.Builder().code(429).setHeader("Retry-After", retryAfter).build();
    }

    @ParameterizedTest(name = "Retry-After: {0}")
    @CsvSource(delimiter = '|', value = {
        "'Tue, 01 Jan 2030 00:00:02 GMT' | 2000 | status 429, Retry-After 2 s",
        "'Mon, 31 Dec 2029 23:59:00 GMT' | 0    | status 429, Retry-After 0 s",
        "-5                              | 10   | status 429",
        "'in a minute'                   | 10   | status 429" })
    void theRetryWaitsForADateAndTakesANegativeOrGarbledValueAsAbsent(String retryAfter, long waitMillis, String reason) {
        upstream.enqueue(rateLimited(retryAfter));
        upstream.enqueue(MockUpstream.name("John"));
        upstream.holdAnswer(1);

        try (LogCapture retries = LogCapture.of("dev.namegate.upstream.retry")) {
            StepVerifier.create(test.client.lookup(1, "req", "0af7651916cd43dd8448eb211c80319c"))
                    .then(() -> {
                        // the 429 is let go only once the lookup's timers are armed; the next timer is the retry's wait
                        upstream.awaitRequests(1);
                        long timers = clock.getScheduledTaskCount();
                        upstream.releaseAnswers();
                        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> clock.getScheduledTaskCount() > timers);
                        if (waitMillis > 0) {
                            clock.advanceTimeBy(Duration.ofMillis(waitMillis - 1));
                            assertThat(upstream.requestCount()).as("no retry before its wait").isEqualTo(1);
                            clock.advanceTimeBy(Duration.ofMillis(1));
                        }
                    })
                    .expectNext(JOHN).expectComplete().verify(Duration.ofSeconds(10));
            assertThat(retries.messages()).containsExactly(
                    "retrying: " + reason + " [request=req attempt=1 backoff=" + waitMillis * 1000 + "us]");
        }
        assertThat(upstream.requestCount()).isEqualTo(2);
    }

    @Test
    void aDateBeyondTheDeadlineEndsTheLookupWithThatWaitCappedAtAMinute() {
        upstream.enqueue(rateLimited("Tue, 01 Jan 2030 00:00:45 GMT"));
        upstream.enqueue(rateLimited("Wed, 02 Jan 2030 00:00:00 GMT"));
        for (Duration expected : new Duration[] { Duration.ofSeconds(45), Duration.ofSeconds(60) }) {
            StepVerifier.create(test.client.lookup(1, "req", "0af7651916cd43dd8448eb211c80319c"))
                    .expectErrorSatisfies(e -> {
                        assertThat(((UpstreamFailure) e).kind()).isEqualTo(UpstreamFailure.Kind.UNAVAILABLE);
                        assertThat(((UpstreamFailure) e).reason()).isEqualTo("rate limited, Retry-After does not fit the time left");
                        assertThat(((UpstreamFailure) e).retryAfter()).isEqualTo(expected);
                    })
                    .verify(Duration.ofSeconds(10));
        }
        assertThat(upstream.requestCount()).isEqualTo(2);
    }
}
