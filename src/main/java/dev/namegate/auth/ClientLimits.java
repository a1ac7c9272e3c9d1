package dev.namegate.auth;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Per-client limits from the keys file attributes; an empty value means "use the service default".
 *
 * @param ratePerSecond {@code rate=}: sustained requests per second, positive
 * @param burst {@code burst=}: requests allowed at once above the rate, positive
 * @param idsPerDay {@code ids-per-day=}: distinct user ids per day, positive
 */
public record ClientLimits(OptionalDouble ratePerSecond, OptionalInt burst, OptionalInt idsPerDay) {

    /** No attribute given: every limit is the service default. */
    public static final ClientLimits DEFAULTS =
            new ClientLimits(OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.empty());
}
