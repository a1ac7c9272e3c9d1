package dev.namegate.load;

import java.util.Map;

/**
 * The story's promise for one scenario: the share of requests answered correctly within
 * {@link #SLO_MILLIS}, and (for promises of 99% or more) a p99 latency under it.
 *
 * @param share the required share of correct answers within the SLO, 0..1 (0.995 = 99.5%)
 */
public record LoadTarget(double share) {

    /** The latency promise, in milliseconds: an answer later than this counts as not given. */
    public static final int SLO_MILLIS = 100;

    private static final Map<String, LoadTarget> BY_SCENARIO = Map.of(
            "healthy", new LoadTarget(0.999),
            "flaky", new LoadTarget(0.995),
            "slow", new LoadTarget(0.995),
            "bad-instances", new LoadTarget(0.995),
            // 404 problems, each within 100 ms
            "unknown-ids", new LoadTarget(0.999),
            "rate-limited", new LoadTarget(0.99),
            "storm", new LoadTarget(0.99),
            // a 502/503/504 problem within 100 ms, never a hang
            "outage", new LoadTarget(0.999),
            // its own internal service, and the network between the load generator and it counts
            "deployment", new LoadTarget(0.99));

    public LoadTarget {
        if (!(share > 0.0 && share <= 1.0)) {
            throw new IllegalArgumentException("share must be in (0, 1], was " + share);
        }
    }

    /** @throws IllegalArgumentException for a scenario without a target */
    public static LoadTarget of(String scenario) {
        LoadTarget target = BY_SCENARIO.get(scenario);
        if (target == null) {
            throw new IllegalArgumentException("no load target for scenario '" + scenario + "'");
        }
        return target;
    }

    /** The share as Gatling's percentages, e.g. 99.5 (rounded to 0.01, so 0.995 is not 99.49999...). */
    public double percent() {
        return Math.round(share * 10_000) / 100.0;
    }

    /** A promise of 99% or more also bounds the p99 latency by the SLO. */
    public boolean boundsP99() {
        return share >= 0.99;
    }
}
