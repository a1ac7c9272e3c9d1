package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** wrk's output as real runs printed it, with the result line of {@link WrkScript}'s {@code done()} hook. */
class WrkResultTest {

    @Test
    void aRunWithNon2xxAndSocketErrorsCountsOnlyTheRestAsCorrect() throws IOException {
        // 8 connections for 2 s against a server answering 503s, resetting connections and stalling past --timeout 1s
        WrkResult result = WrkResult.parse(sample("non2xx-and-socket-errors.txt"));

        assertThat(result.duration()).isEqualTo(Duration.ofNanos(2_006_536_000L));
        assertThat(result.requests()).isEqualTo(554);
        assertThat(result.non2xx()).as("wrk's 'Non-2xx or 3xx responses: 130'").isEqualTo(130);
        assertThat(result.connectErrors()).isZero();
        assertThat(result.readErrors()).isEqualTo(31);
        assertThat(result.writeErrors()).isZero();
        assertThat(result.timeouts()).isEqualTo(8);
        assertThat(result.errors()).as("wrk's 'Socket errors: connect 0, read 31, write 0, timeout 8'").isEqualTo(39);
        assertThat(result.requestsPerSecond()).as("wrk's 'Requests/sec: 276.10'").isCloseTo(276.10, within(0.01));
        assertThat(result.correctPerSecond()).isCloseTo((554 - 130 - 39) / 2.006536, within(1e-9));
        assertThat(result.p50Micros()).as("wrk's '50%  150.00us'").isEqualTo(150);
        assertThat(result.p99Micros()).as("wrk's '99%   10.78ms'").isEqualTo(10_777);
        assertThat(result.maxMicros()).isEqualTo(29_760);
        assertThat(result.cpuTicks()).isZero();
    }

    @Test
    void aRunWithNon2xxOnlyHasNoSocketErrors() throws IOException {
        WrkResult result = WrkResult.parse(sample("non2xx-only.txt"));

        assertThat(result.requests()).isEqualTo(286);
        assertThat(result.non2xx()).isEqualTo(97);
        assertThat(result.errors()).isZero();
        assertThat(result.correctPerSecond()).isCloseTo(189 / 2.038559, within(1e-9));
        assertThat(result.p99Micros()).isEqualTo(181_996);
    }

    @Test
    void everyCountAboveTheAnswersLeavesNoneCorrectRatherThanANegativeRate() {
        WrkResult result = WrkResult.parse(WrkScript.RESULT_MARKER + """
                {"duration_us":1000000,"requests":10,"non2xx":6,"connect_errors":0,"read_errors":0,\
                "write_errors":0,"timeouts":7,"p50_us":900000,"p99_us":2000000,"max_us":2100000,"cpu_ticks":-1}""");

        assertThat(result.correctPerSecond()).isZero();
        assertThat(result.cpuCores()).as("no /proc: unknown").isNaN();
    }

    @Test
    void aRunThatCouldNotConnectIsRefusedWithWhatWrkSaid() throws IOException {
        String refused = sample("connection-refused.txt");

        assertThatIllegalArgumentException().isThrownBy(() -> WrkResult.parse(refused))
                .withMessageContaining("wrk printed no result")
                .withMessageContaining("unable to connect to 127.0.0.1:18778 Connection refused");
    }

    private static String sample(String name) throws IOException {
        try (InputStream in = WrkResultTest.class.getResourceAsStream("wrk/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
