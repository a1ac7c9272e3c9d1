package dev.namegate.bench;

import java.util.Locale;
import java.util.Objects;

/**
 * One step of the closed-loop sweep: a target at a number of connections for a fixed duration.
 *
 * @param target           what was loaded
 * @param connections      wrk's connections, each with one request in flight
 * @param round            which pass over the steps measured it, from 1 ({@code --rounds})
 * @param wrk              what wrk counted
 * @param serviceCpuSeconds CPU the system under test spent over the step, NaN when unknown
 * @param cacheHitRatio    namegate's cache hits per lookup over the step, NaN for the others
 */
record ClosedLoopRow(ClosedLoopTarget target, int connections, int round, WrkResult wrk, double serviceCpuSeconds,
        double cacheHitRatio) {

    /** wrk's CPU (in cores) above which the row may measure wrk rather than the target. */
    static final double WRK_BUSY_CORES = 0.9;

    static final String HEADER = """
            | target | connections | round | requests/s | correct/s | non-2xx | errors | p50 ms | p99 ms \
            | service CPU µs/req | wrk CPU | cache hits |
            |---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|""";

    ClosedLoopRow {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(wrk, "wrk");
    }

    /** Whether wrk had more than 90% of its core: the generator, not the target, may have set the pace. */
    boolean wrkBusy() {
        return wrk.cpuCores() > WRK_BUSY_CORES;
    }

    /** CPU of the system under test per answer, µs; NaN without answers or a CPU reading. */
    double serviceCpuMicrosPerRequest() {
        return wrk.requests() == 0 ? Double.NaN : serviceCpuSeconds * 1e6 / wrk.requests();
    }

    String markdownRow() {
        return String.format(Locale.ROOT, "| %s | %d | %d | %,.0f | %,.0f | %,d | %,d | %.2f | %.2f | %s | %s | %s |",
                target.label(), connections, round, wrk.requestsPerSecond(), wrk.correctPerSecond(), wrk.non2xx(),
                wrk.errors(), wrk.p50Micros() / 1000.0, wrk.p99Micros() / 1000.0,
                number("%.0f", serviceCpuMicrosPerRequest()),
                number("%.2f", wrk.cpuCores()) + (wrkBusy() ? " **busy**" : ""),
                number("%.1f%%", cacheHitRatio * 100));
    }

    private static String number(String format, double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, format, value) : "–";
    }
}
