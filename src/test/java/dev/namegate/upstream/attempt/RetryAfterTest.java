package dev.namegate.upstream.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The internal service's Retry-After, read defensively and never beyond the cap (60 s here). */
class RetryAfterTest {

    private static final Duration CAP = Duration.ofSeconds(60);
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            // delay-seconds
            "30                                  | 30",
            "0                                   | 0",
            "'  5 '                              | 5",
            "60                                  | 60",
            "61                                  | 60",
            "86400                               | 60",
            "9223372036854775807                 | 60",
            "99999999999999999999999999999       | 60",
            // HTTP-dates: ahead, behind, far ahead
            "'Thu, 01 Jan 2026 00:00:30 GMT'     | 30",
            "'Thu, 01 Jan 2026 00:00:00 GMT'     | 0",
            "'Wed, 31 Dec 2025 23:00:00 GMT'     | 0",
            "'Thu, 01 Jan 2026 01:00:00 GMT'     | 60",
            "'Fri, 31 Dec 9999 23:59:59 GMT'     | 60",
            // not a Retry-After: as if absent
            "null                                | null",
            "''                                  | null",
            "-1                                  | null",
            "+5                                  | null",
            "1.5                                 | null",
            "5s                                  | null",
            "soon                                | null",
            "'Thu, 32 Jan 2026 00:00:30 GMT'     | null",
            "'2026-01-01T00:00:30Z'              | null" })
    void readsSecondsAndDatesCapsThemAndIgnoresTheRest(String value, Long expectedSeconds) {
        Duration parsed = RetryAfter.parse(value, CAP, NOW);
        if (expectedSeconds == null) {
            assertThat(parsed).isNull();
        } else {
            assertThat(parsed).isEqualTo(Duration.ofSeconds(expectedSeconds));
        }
    }
}
