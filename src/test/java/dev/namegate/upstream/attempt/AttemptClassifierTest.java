package dev.namegate.upstream.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.NotYetConnectedException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.buffer.DataBufferLimitException;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;

/** What the wire gave, as the attempt's outcome: one row per status, body or transport error. */
class AttemptClassifierTest {

    private final AttemptClassifier classifier = new AttemptClassifier(Duration.ofMillis(5), Duration.ofMillis(25));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "200, SUCCESS",
        "429, RATE_LIMITED",
        "500, TRANSIENT_STATUS",
        "502, TRANSIENT_STATUS",
        "503, TRANSIENT_STATUS",
        "504, TRANSIENT_STATUS",
        "201, UNEXPECTED_STATUS",
        "301, UNEXPECTED_STATUS",
        "400, UNEXPECTED_STATUS",
        "404, UNEXPECTED_STATUS",
        "501, UNEXPECTED_STATUS",
    })
    void aStatusAnnouncesItsOutcome(int status, AttemptOutcome outcome) {
        assertThat(AttemptClassifier.ofStatus(status)).isEqualTo(outcome);
    }

    @ParameterizedTest(name = "{0} \"{1}\" -> not found: {2}")
    @CsvSource(delimiter = '|', value = {
        "500 | User not exists.                | true",
        "500 | error: User not exists (id 9)   | true",
        "500 | Internal error                   | false",
        "500 | user not exists                  | false",
        "500 | ''                               | false",
        "502 | User not exists.                 | false",
        "503 | User not exists.                 | false",
    })
    void onlyA500WhoseBodySaysSoIsAnUnknownUser(int status, String body, boolean notFound) {
        assertThat(AttemptClassifier.isNotFound(status, body)).isEqualTo(notFound);
    }

    static Stream<Arguments> transportErrors() {
        return Stream.of(
                Arguments.of(new TimeoutException("attempt"), AttemptOutcome.RESPONSE_TIMEOUT, "attempt timeout"),
                Arguments.of(new ConnectTimeoutException("x"), AttemptOutcome.CONNECT_FAILURE, "connect timeout after 5 ms"),
                Arguments.of(new IOException(new ConnectTimeoutException("wrapped")), AttemptOutcome.CONNECT_FAILURE,
                        "connect timeout after 5 ms"),
                Arguments.of(new ConnectException("refused"), AttemptOutcome.CONNECT_FAILURE, "connect failed"),
                Arguments.of(new NoRouteToHostException(), AttemptOutcome.CONNECT_FAILURE, "connect failed"),
                Arguments.of(new UnknownHostException(), AttemptOutcome.CONNECT_FAILURE, "connect failed"),
                Arguments.of(new UnresolvedAddressException(), AttemptOutcome.CONNECT_FAILURE, "connect failed"),
                Arguments.of(ReadTimeoutException.INSTANCE, AttemptOutcome.RESPONSE_TIMEOUT, "response timeout after 25 ms"),
                Arguments.of(PrematureCloseException.TEST_EXCEPTION, AttemptOutcome.CONNECTION_CLOSED,
                        "connection closed before response"),
                Arguments.of(new PoolAcquireTimeoutException(Duration.ofMillis(10)), AttemptOutcome.POOL_EXHAUSTED, "no pooled connection in time"),
                Arguments.of(new PoolAcquirePendingLimitException(5), AttemptOutcome.POOL_EXHAUSTED,
                        "no pooled connection in time"),
                Arguments.of(new DataBufferLimitException("too big"), AttemptOutcome.MALFORMED, "oversized body"),
                Arguments.of(new IOException("Connection reset by peer"), AttemptOutcome.CONNECTION_CLOSED,
                        "connection failed: IOException"),
                Arguments.of(new IllegalStateException(new IOException("broken pipe")), AttemptOutcome.CONNECTION_CLOSED,
                        "connection failed: IOException"),
                Arguments.of(new RuntimeException(new NotYetConnectedException()), AttemptOutcome.CONNECTION_CLOSED,
                        "connection failed: NotYetConnectedException"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("transportErrors")
    void aTransportErrorBecomesTheFailureOfItsAttempt(Throwable error, AttemptOutcome outcome, String reason) {
        Throwable classified = classifier.ofError(error);
        assertThat(classified).isInstanceOf(AttemptFailure.class);
        assertThat(((AttemptFailure) classified).outcome()).isEqualTo(outcome);
        assertThat(((AttemptFailure) classified).reason()).isEqualTo(reason);
    }

    @ParameterizedTest(name = "{0} stays as it is")
    @MethodSource("notOurs")
    void anErrorNoAttemptCanMeetIsPassedOnUnchanged(Throwable error) {
        assertThat(classifier.ofError(error)).isSameAs(error);
    }

    static Stream<Throwable> notOurs() {
        return Stream.of(new IllegalStateException("a bug"), new NullPointerException(),
                AttemptFailure.of(AttemptOutcome.MALFORMED, "already classified"));
    }
}
