package dev.namegate.bench;

import java.time.Duration;

import java.util.Locale;
import java.util.Objects;

/**
 * One scenario's measured phase, as one row of the results table. Absent measurements (e.g. no
 * service process in direct mode) are {@code NaN} / negative and render as "–".
 *
 * @param scenario            scenario name
 * @param mode                {@code sequence}, {@code fresh}, {@code direct} or {@code naive}
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
 * @param upstreamAttempts    requests the simulator received during the phase, -1 if unknown
 * @param upstream429         simulator 429 answers during the phase, -1 if unknown
 * @param cacheHitRatio       answers from the service's name cache per request, NaN when no answer
 *                            said (cache off, or no service in the path)
 * @param cacheStaleRatio     stale names standing in for failed lookups per request, NaN likewise
 * @param cpuSecondsPer1000   service user+system CPU seconds per 1,000 requests, NaN if unknown
 * @param generatorCpuShare   the load generator's CPU over the phase, in cores (1.0 = one core busy)
 * @param maxSendLagMillis    the generator's worst delay between an intended and an actual send
 */
public record Summary(String scenario, String mode, double rate, long requests, long correct, long correctWithinSlo,
        long wrong, long failed, double p50Millis, double p99Millis, double p999Millis, double maxMillis,
        long upstreamAttempts, long upstream429, double cacheHitRatio, double cacheStaleRatio,
        double cpuSecondsPer1000, double generatorCpuShare, double maxSendLagMillis) {

    public Summary {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(mode, "mode");
    }

    /** Builds the latency, outcome and cache columns from a load result; the process columns come from the caller. */
    public static Summary of(String scenario, String mode, double rate, LoadResult load, long upstreamAttempts,
            long upstream429, double cpuSecondsPer1000, double generatorCpuShare) {
        return new Summary(scenario, mode, rate, load.requests(), load.correct(), load.correctWithinSlo(),
                load.wrong(), load.failed(), load.percentileMillis(50), load.percentileMillis(99),
                load.percentileMillis(99.9), load.maxMillis(), upstreamAttempts, upstream429,
                load.cache().hitRatio(load.requests()), load.cache().staleRatio(load.requests()),
                cpuSecondsPer1000, generatorCpuShare, load.maxSendLagMicros() / 1000.0);
    }

    /** Upstream attempts per request, NaN if unknown. */
    public double upstreamAttemptsPerRequest() {
        return upstreamAttempts < 0 || requests == 0 ? Double.NaN : (double) upstreamAttempts / requests;
    }

    /** 429 answers per upstream attempt, NaN if unknown; 0 when there were no attempts. */
    public double upstream429Share() {
        if (upstream429 < 0 || upstreamAttempts < 0) {
            return Double.NaN;
        }
        return upstreamAttempts == 0 ? 0.0 : (double) upstream429 / upstreamAttempts;
    }

    /** Correct answers within 100 ms per request (0 without requests). */
    public double correctWithinSloShare() {
        return requests == 0 ? 0.0 : (double) correctWithinSlo / requests;
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
                + "| p50 ms | p99 ms | p99.9 ms | max ms | upstream attempts/req | upstream 429 (of attempts) "
                + "| cache hits | service CPU s/1k req | generator CPU (of a core) | max send lag ms |\n"
                + "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|";
    }

    public String markdownRow() {
        return "| " + String.join(" | ",
                scenario, mode, number(rate, 0), Long.toString(requests),
                count(correct), count(correctWithinSlo), count(wrong), count(failed),
                number(p50Millis, 1), number(p99Millis, 1), number(p999Millis, 1), number(maxMillis, 1),
                number(upstreamAttemptsPerRequest(), 2), rateLimitedColumn(), cacheColumn(),
                number(cpuSecondsPer1000, 3), percent(generatorCpuShare, 0), number(maxSendLagMillis, 1)) + " |";
    }

    /** A count with its share of all requests, e.g. {@code 1490 (99.3%)}. */
    private String count(long value) {
        if (requests == 0) {
            return Long.toString(value);
        }
        return value + " (" + percent((double) value / requests, 1) + ")";
    }

    private String rateLimitedColumn() {
        return upstream429 < 0 ? "–" : upstream429 + " (" + percent(upstream429Share(), 1) + ")";
    }

    /** {@code 0.0%}, or {@code 61.2% + 0.3% stale} when stale names stood in. */
    private String cacheColumn() {
        if (Double.isNaN(cacheHitRatio)) {
            return "–";
        }
        return percent(cacheHitRatio, 1) + (cacheStaleRatio > 0 ? " + " + percent(cacheStaleRatio, 1) + " stale" : "");
    }

    private static String percent(double share, int decimals) {
        return Double.isNaN(share) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f%%", 100 * share);
    }

    private static String number(double value, int decimals) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
