package dev.namegate.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;

/**
 * How the load picks among the known ids 1..users ({@code --ids=}): {@link Uniform} over all of
 * them, so with a large id space practically every request misses the service's name cache (the
 * path that matters when conditions change), or a {@link Zipf} hot set over the first N ids, where
 * a few ids take most requests and the cache answers them (what the cache adds).
 */
public sealed interface KnownIds {

    /** The default: every known id equally likely. */
    KnownIds UNIFORM = new Uniform();

    /** Draws known ids from {@code random}; not thread-safe, like the generator it wraps. */
    LongSupplier sampler(SplittableRandom random, long users);

    /** The largest id this draws when there are {@code users} known ids. */
    long largestId(long users);

    /** As given on the command line: {@code uniform} or {@code zipf:N:exponent}. */
    String option();

    /** Ids 1..users, each equally likely. */
    record Uniform() implements KnownIds {
        @Override
        public LongSupplier sampler(SplittableRandom random, long users) {
            return () -> 1 + random.nextLong(users);
        }

        @Override
        public long largestId(long users) {
            return users;
        }

        @Override
        public String option() {
            return "uniform";
        }
    }

    /**
     * Ids 1..ids with Zipf's law: id k is asked for in proportion to 1 / k^exponent, so id 1 is
     * the most popular (exponent 1 over 100,000 ids: id 1 takes 8% of the requests, the first
     * 1,000 ids 62%).
     *
     * @param ids      size of the hot set, 1..{@link Integer#MAX_VALUE}
     * @param exponent skew, > 0 (1 is the classic law; larger is more skewed)
     */
    record Zipf(int ids, double exponent) implements KnownIds {
        public Zipf {
            if (ids < 1) {
                throw new IllegalArgumentException("a Zipf hot set needs at least 1 id, was " + ids);
            }
            if (!(exponent > 0) || Double.isInfinite(exponent)) {
                throw new IllegalArgumentException("a Zipf exponent must be > 0, was " + exponent);
            }
        }

        @Override
        public LongSupplier sampler(SplittableRandom random, long users) {
            UniformRandomProvider source = random::nextLong;
            SharedStateDiscreteSampler zipf = RejectionInversionZipfSampler.of(source, ids, exponent);
            return zipf::sample;
        }

        @Override
        public long largestId(long users) {
            return ids;
        }

        @Override
        public String option() {
            return "zipf:" + ids + ":" + exponent;
        }
    }

    /**
     * {@code uniform}, {@code zipf:N} (exponent 1) or {@code zipf:N:exponent}, e.g. {@code zipf:100000:1.0}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static KnownIds parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals("uniform")) {
            return UNIFORM;
        }
        String[] parts = value.split(":", -1);
        if (parts[0].equals("zipf") && (parts.length == 2 || parts.length == 3)) {
            try {
                long ids = Long.parseLong(parts[1]);
                if (ids > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("a Zipf hot set holds at most " + Integer.MAX_VALUE + " ids");
                }
                return new Zipf((int) ids, parts.length == 3 ? Double.parseDouble(parts[2]) : 1.0);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number in '" + text + "'", e);
            }
        }
        throw new IllegalArgumentException("expected uniform or zipf:<ids>[:<exponent>], got '" + text + "'");
    }
}
