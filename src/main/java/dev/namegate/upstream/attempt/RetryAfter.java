package dev.namegate.upstream.attempt;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The internal service's RFC 9110 {@code Retry-After}, read defensively: whatever it says, the
 * result is {@code null} or a duration between zero and the cap, so it can neither overflow a
 * later computation (a far-future date once made a 500) nor become our own
 * {@code Retry-After: 86400}.
 */
public final class RetryAfter {

    /** More digits than a long holds are a huge number, not garbage. */
    private static final int MAX_LONG_DIGITS = 18;

    private RetryAfter() {
    }

    /**
     * @param value delay-seconds ({@code 1*DIGIT}) or an IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT})
     * @param cap the longest wait we accept or pass on
     * @param clock what "now" is for a date
     * @return the wait, at most {@code cap}; zero for a date not in the future; {@code null} when
     *     absent or unreadable (a sign, a fraction, a unit, anything else), i.e. as if not sent
     */
    public static Duration parse(String value, Duration cap, Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            if (v.length() > MAX_LONG_DIGITS) {
                return cap;
            }
            Duration seconds = Duration.ofSeconds(Long.parseLong(v));
            return seconds.compareTo(cap) > 0 ? cap : seconds;
        }
        Instant at;
        try {
            at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeException unreadable) {
            return null;
        }
        Instant now = clock.instant();
        if (!at.isAfter(now)) {
            return Duration.ZERO;
        }
        // compared before subtracting: Duration.between cannot overflow within the cap
        return at.isAfter(now.plus(cap)) ? cap : Duration.between(now, at);
    }
}
