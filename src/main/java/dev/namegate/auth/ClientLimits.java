package dev.namegate.auth;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Per-client limits from the keys file attributes; an empty value means "use the service default".
 *
 * @param ratePerSecond {@code rate=}: sustained requests per second, positive
 * @param burst {@code burst=}: requests allowed at once above the rate, positive
 * @param idsPerDay {@code ids-per-day=}: distinct user ids per day, 1 to {@link #MAX_IDS_PER_DAY}
 */
public record ClientLimits(OptionalDouble ratePerSecond, OptionalInt burst, OptionalInt idsPerDay) {

    /**
     * The largest quota of distinct ids a client may have, in the keys file and as the default:
     * each counted id costs 32 to 64 bytes of heap while a client's count grows and up to 128
     * while it shrinks, so a million is up to 128 MB for one client (the whole replica is bounded
     * by {@code namegate.limits.quota.max-tracked-ids}, which may be lower).
     */
    public static final int MAX_IDS_PER_DAY = 1_000_000;

    /** No attribute given: every limit is the service default. */
    public static final ClientLimits DEFAULTS =
            new ClientLimits(OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.empty());
}
