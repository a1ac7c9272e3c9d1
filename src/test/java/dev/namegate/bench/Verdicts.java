package dev.namegate.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The results table against the service's targets (issue 12, for this 2-core machine with every
 * request a cache miss), one verdict per service row; baselines (direct, naive) get none:
 * <ul>
 * <li>single faults (healthy, flaky, slow, bad-instances, unknown-ids): ≥ 99.5% correct within
 *     100 ms; unknown ids also at most 1.1 upstream attempts per request (a definite "User not
 *     exists." is not retried);</li>
 * <li>rate-limited and storm: ≥ 99% correct within 100 ms and upstream 429s ≤ 1% of attempts;</li>
 * <li>outage: ≤ 1.3 upstream attempts per request and every reply within 100 ms;</li>
 * <li>healthy: p99 within 5 ms of the direct row's (the simulator called without the service),
 *     when the run has one.</li>
 * </ul>
 */
final class Verdicts {

    static final double SINGLE_FAULT_SHARE = 0.995;
    static final double RATE_LIMITED_SHARE = 0.99;
    static final double MAX_429_SHARE = 0.01;
    static final double UNKNOWN_IDS_MAX_ATTEMPTS = 1.1;
    static final double OUTAGE_MAX_ATTEMPTS = 1.3;
    static final double OUTAGE_MAX_MILLIS = 100;
    static final double HEALTHY_P99_OVER_DIRECT_MILLIS = 5;

    /**
     * One row's verdict.
     *
     * @param row    the scenario, numbered when it ran before ({@code healthy #2}), and its mode
     * @param met    whether every target of the scenario was met
     * @param detail each measured value against its target
     */
    record Verdict(String row, boolean met, String detail) {
        String line() {
            return "- " + row + ": " + (met ? "met" : "MISSED") + " — " + detail;
        }
    }

    private Verdicts() {
    }

    /** The verdicts of the service rows of {@code rows}, in order; a scenario without targets gets none. */
    static List<Verdict> judge(List<Summary> rows) {
        Optional<Summary> direct = rows.stream().filter(row -> row.mode().equals("direct")).findFirst();
        Map<String, Integer> seen = new HashMap<>();
        List<Verdict> verdicts = new ArrayList<>();
        for (Summary row : rows) {
            if (row.mode().equals("direct") || row.mode().equals("naive")) {
                continue;
            }
            int occurrence = seen.merge(row.scenario(), 1, Integer::sum);
            String name = row.scenario() + (occurrence > 1 ? " #" + occurrence : "") + " (" + row.mode() + ")";
            judge(row, direct).map(checks -> checks.verdict(name)).ifPresent(verdicts::add);
        }
        return verdicts;
    }

    private static Optional<Checks> judge(Summary row, Optional<Summary> direct) {
        Checks checks = new Checks();
        switch (row.scenario()) {
            case "healthy", "flaky", "slow", "bad-instances", "unknown-ids", "peak" -> {
                checks.correctWithinSlo(row, SINGLE_FAULT_SHARE);
                if (row.scenario().equals("unknown-ids")) {
                    checks.atMost("upstream attempts/request", row.upstreamAttemptsPerRequest(),
                            UNKNOWN_IDS_MAX_ATTEMPTS, "%.2f");
                }
                if (row.scenario().equals("healthy")) {
                    direct.ifPresentOrElse(baseline -> checks.check(
                                    row.p99Millis() - baseline.p99Millis() <= HEALTHY_P99_OVER_DIRECT_MILLIS,
                                    String.format(Locale.ROOT, "p99 %.1f ms, direct %.1f ms: %+.1f ms (≤ +%.0f ms)",
                                            row.p99Millis(), baseline.p99Millis(),
                                            row.p99Millis() - baseline.p99Millis(), HEALTHY_P99_OVER_DIRECT_MILLIS)),
                            () -> checks.note("p99 %.1f ms (no direct row to compare with)".formatted(row.p99Millis())));
                }
            }
            case "rate-limited", "storm" -> {
                checks.correctWithinSlo(row, RATE_LIMITED_SHARE);
                checks.atMost("upstream 429s of attempts", row.upstream429Share() * 100, MAX_429_SHARE * 100, "%.2f%%");
            }
            case "outage" -> {
                checks.atMost("upstream attempts/request", row.upstreamAttemptsPerRequest(), OUTAGE_MAX_ATTEMPTS, "%.2f");
                checks.atMost("slowest reply ms", row.maxMillis(), OUTAGE_MAX_MILLIS, "%.1f");
            }
            default -> {
                return Optional.empty();
            }
        }
        return Optional.of(checks);
    }

    /** The checks of one row as they are made. */
    private static final class Checks {
        private final List<String> parts = new ArrayList<>();
        private boolean met = true;

        void correctWithinSlo(Summary row, double share) {
            check(row.correctWithinSloShare() >= share, String.format(Locale.ROOT,
                    "%.2f%% correct within 100 ms (≥ %.1f%%)", 100 * row.correctWithinSloShare(), 100 * share));
        }

        /** An unknown value (NaN) misses: a target that cannot be judged is not met. */
        void atMost(String what, double value, double limit, String format) {
            check(value <= limit, what + " " + String.format(Locale.ROOT, format, value) + " (≤ "
                    + String.format(Locale.ROOT, format, limit) + ")");
        }

        void check(boolean ok, String text) {
            met &= ok;
            parts.add(text);
        }

        void note(String text) {
            parts.add(text);
        }

        Verdict verdict(String row) {
            return new Verdict(row, met, String.join("; ", parts));
        }
    }
}
