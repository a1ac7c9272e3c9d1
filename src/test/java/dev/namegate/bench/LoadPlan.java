package dev.namegate.bench;

import java.time.Duration;
import java.util.Objects;

/**
 * One open-loop phase: {@code rate × duration} requests, request i intended at t0 + i/rate.
 *
 * @param rate     requests per second, > 0
 * @param duration length of the sending schedule, > 0
 * @param timeout  client-side limit per request (from its actual send); a request that hits it
 *                 counts as failed, with its latency from the intended time
 * @param slo      the latency a correct answer must meet to count as "correct within" (100 ms here)
 * @param seed     seed of the id generator, so two runs ask for the same ids
 */
public record LoadPlan(double rate, Duration duration, Duration timeout, Duration slo, long seed) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_SLO = Duration.ofMillis(100);

    public LoadPlan {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(slo, "slo");
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be > 0 requests/s, was " + rate);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be > 0, was " + duration);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
        }
    }

    public static LoadPlan of(double rate, Duration duration) {
        return new LoadPlan(rate, duration, DEFAULT_TIMEOUT, DEFAULT_SLO, 42L);
    }

    public LoadPlan withTimeout(Duration newTimeout) {
        return new LoadPlan(rate, duration, newTimeout, slo, seed);
    }

    public LoadPlan withDuration(Duration newDuration) {
        return new LoadPlan(rate, newDuration, timeout, slo, seed);
    }

    /** Number of requests in the schedule: rate × duration, rounded to the nearest request. */
    public long count() {
        return Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
    }

    /** Nanoseconds between intended send times. */
    public double periodNanos() {
        return 1e9 / rate;
    }
}
