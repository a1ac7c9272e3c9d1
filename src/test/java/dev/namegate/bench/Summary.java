package dev.namegate.bench;

import java.time.Duration;

import java.util.Locale;
import java.util.Objects;

/**
 * One scenario's measured phase, as one row of the results table. Absent measurements (e.g. no
 * service process in direct mode) are {@code NaN} / negative and render as "–".
 *
 * @param scenario            scenario name
 * @param mode                {@code service} or {@code direct}
 * @param rate                offered load, requests/s
 * @param requests            requests in the measured schedule
 * @param correct             answers that met the contract
 * @param correctWithinSlo    correct answers with latency ≤ 100 ms (the promise)
 * @param wrong               answers that broke the contract
 * @param failed              no answer (client timeout or connection error)
 * @param p50Millis           latency percentiles from the intended send time, ms
 * @param p99Millis           "
 * @param p999Millis          "
 * @param maxMillis           "
 * @param upstreamAttemptsPerRequest simulator attempts / requests, NaN if unknown
 * @param upstream429         simulator 429 answers during the phase, -1 if unknown
 * @param cpuSecondsPer1000   service user+system CPU seconds per 1,000 requests, NaN if unknown
 * @param peakRssMiB          service peak resident set (VmHWM), MiB, NaN if unknown
 */
public record Summary(String scenario, String mode, double rate, long requests, long correct, long correctWithinSlo,
        long wrong, long failed, double p50Millis, double p99Millis, double p999Millis, double maxMillis,
        double upstreamAttemptsPerRequest, long upstream429, double cpuSecondsPer1000, double peakRssMiB) {

    public Summary {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(mode, "mode");
    }

    /** Builds the latency and outcome columns from a load result; the process columns come from the caller. */
    public static Summary of(String scenario, String mode, double rate, LoadResult load,
            double upstreamAttemptsPerRequest, long upstream429, double cpuSecondsPer1000, double peakRssMiB) {
        return new Summary(scenario, mode, rate, load.requests(), load.correct(), load.correctWithinSlo(),
                load.wrong(), load.failed(), load.percentileMillis(50), load.percentileMillis(99),
                load.percentileMillis(99.9), load.maxMillis(), upstreamAttemptsPerRequest, upstream429,
                cpuSecondsPer1000, peakRssMiB);
    }

    /** What a throughput sweep looks for: p99 within 100 ms and at least 99.9% correct. */
    public boolean sustainable() {
        return requests > 0 && p99Millis <= 100 && correct >= 0.999 * requests;
    }

    /** Correct answers within 100 ms per second of a phase this long. */
    public double goodputPerSecond(Duration phase) {
        return correctWithinSlo / (phase.toMillis() / 1000.0);
    }

    /** The table header and its separator line. */
    public static String markdownHeader() {
        return "| scenario | mode | rate/s | requests | correct | correct ≤100ms | wrong | failed "
                + "| p50 ms | p99 ms | p99.9 ms | max ms | upstream attempts/req | upstream 429 "
                + "| service CPU s/1k req | service peak RSS MiB |\n"
                + "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|";
    }

    public String markdownRow() {
        return "| " + String.join(" | ",
                scenario, mode, number(rate, 0), Long.toString(requests),
                count(correct), count(correctWithinSlo), count(wrong), count(failed),
                number(p50Millis, 1), number(p99Millis, 1), number(p999Millis, 1), number(maxMillis, 1),
                number(upstreamAttemptsPerRequest, 2), upstream429 < 0 ? "–" : Long.toString(upstream429),
                number(cpuSecondsPer1000, 3), number(peakRssMiB, 0)) + " |";
    }

    /** A count with its share of all requests, e.g. {@code 1490 (99.3%)}. */
    private String count(long value) {
        if (requests == 0) {
            return Long.toString(value);
        }
        return value + " (" + String.format(Locale.ROOT, "%.1f%%", 100.0 * value / requests) + ")";
    }

    private static String number(double value, int decimals) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
