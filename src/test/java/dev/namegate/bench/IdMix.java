package dev.namegate.bench;

import java.util.SplittableRandom;

/**
 * Which ids the load asks for: uniformly random known ids 1..users, and a fraction of unknown ids
 * drawn uniformly from users+1..2*users (far enough to be unknown, close enough to look plausible).
 *
 * @param users           number of known users, at least 1
 * @param unknownFraction share of requests for unknown ids, 0.0..1.0 (1.0 = only unknown ids)
 */
public record IdMix(long users, double unknownFraction) {

    public IdMix {
        if (users < 1) {
            throw new IllegalArgumentException("users must be >= 1, was " + users);
        }
        if (!(unknownFraction >= 0.0 && unknownFraction <= 1.0)) {
            throw new IllegalArgumentException("unknownFraction must be in 0..1, was " + unknownFraction);
        }
    }

    public static IdMix knownOnly(long users) {
        return new IdMix(users, 0.0);
    }

    /** Not thread-safe in {@code random}: the pacing thread owns its generator. */
    public long next(SplittableRandom random) {
        long offset = random.nextLong(users);
        if (unknownFraction > 0.0 && (unknownFraction >= 1.0 || random.nextDouble() < unknownFraction)) {
            return users + 1 + offset;
        }
        return 1 + offset;
    }
}
