package dev.namegate.bench;

import java.time.Duration;
import java.util.Objects;

/**
 * One open-loop phase: {@code rate × duration} requests, request i intended at t0 + i/rate.
 * A warm-up phase may instead ramp linearly from {@code startRate} up to {@code rate}: a cold JVM
 * hit at full rate opens hundreds of connections at once, times them out, and never recovers;
 * the measured phase always runs at a constant rate.
 *
 * @param rate     requests per second, > 0
 * @param duration length of the sending schedule, > 0
 * @param slo      the latency a correct answer must meet to count as "correct within" (100 ms here)
 * @param seed     seed of the id generator, so two runs ask for the same ids
 * @param startRate requests per second at t0, 0 < startRate <= rate; equal to {@code rate} for a
 *                 constant schedule
 */
public record LoadPlan(double rate, Duration duration, Duration slo, long seed, double startRate) {

    /** The client-side timeout the benchmark uses unless told otherwise (see {@link OpenLoopLoad}). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_SLO = Duration.ofMillis(100);

    public LoadPlan {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(slo, "slo");
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be > 0 requests/s, was " + rate);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be > 0, was " + duration);
        }
        if (!(startRate > 0 && startRate <= rate)) {
            throw new IllegalArgumentException("startRate must be in (0, rate], was " + startRate);
        }
    }

    /** A constant schedule at {@code rate}. */
    public LoadPlan(double rate, Duration duration, Duration slo, long seed) {
        this(rate, duration, slo, seed, rate);
    }

    public static LoadPlan of(double rate, Duration duration) {
        return new LoadPlan(rate, duration, DEFAULT_SLO, 42L);
    }

    /** The same plan ramping linearly from {@code fraction × rate} up to {@code rate}. */
    public LoadPlan rampingFrom(double fraction) {
        return new LoadPlan(rate, duration, slo, seed, rate * fraction);
    }

    /** Number of requests in the schedule: mean rate × duration, rounded to the nearest request. */
    public long count() {
        return Math.max(1, Math.round((startRate + rate) / 2 * duration.toNanos() / 1e9));
    }

    /**
     * When request {@code i} is intended, in nanoseconds after t0. Constant rate: i/rate. Ramp:
     * the inverse of N(t) = r0·t + a·t²/2 with a = (rate − r0)/duration.
     */
    public long intendedOffsetNanos(long i) {
        if (startRate == rate) {
            return (long) (i * 1e9 / rate);
        }
        double seconds = duration.toNanos() / 1e9;
        double a = (rate - startRate) / seconds;
        double t = (-startRate + Math.sqrt(startRate * startRate + 2 * a * i)) / a;
        return (long) (t * 1e9);
    }
}
