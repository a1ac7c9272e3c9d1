package dev.namegate.bench;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Which ids the load asks for: known ids 1..users picked as {@code known} says (uniformly by
 * default), and a fraction of unknown ids drawn uniformly from users+1..2*users (far enough to be
 * unknown, close enough to look plausible).
 *
 * @param users           number of known users, at least 1
 * @param unknownFraction share of requests for unknown ids, 0.0..1.0 (1.0 = only unknown ids)
 * @param known           how known ids are picked; draws no id above {@code users}
 */
public record IdMix(long users, double unknownFraction, KnownIds known) {

    public IdMix {
        Objects.requireNonNull(known, "known");
        if (users < 1) {
            throw new IllegalArgumentException("users must be >= 1, was " + users);
        }
        if (!(unknownFraction >= 0.0 && unknownFraction <= 1.0)) {
            throw new IllegalArgumentException("unknownFraction must be in 0..1, was " + unknownFraction);
        }
        if (known.largestId(users) > users) {
            throw new IllegalArgumentException(known.option() + " asks for ids above the " + users + " known ones");
        }
    }

    /** Known ids uniformly from 1..users. */
    public IdMix(long users, double unknownFraction) {
        this(users, unknownFraction, KnownIds.UNIFORM);
    }

    public static IdMix knownOnly(long users) {
        return new IdMix(users, 0.0);
    }

    /**
     * The ids of one phase, the same sequence for the same seed. Not thread-safe: the pacing
     * thread owns it. Allocation-free per id.
     */
    public LongSupplier generator(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        LongSupplier knownIds = known.sampler(random, users);
        if (unknownFraction == 0.0) {
            return knownIds;
        }
        return () -> unknownFraction >= 1.0 || random.nextDouble() < unknownFraction
                ? users + 1 + random.nextLong(users)
                : knownIds.getAsLong();
    }
}
