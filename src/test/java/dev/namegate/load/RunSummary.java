package dev.namegate.load;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One scenario's measured phase as the one line {@code make load} prints at the end, e.g.
 * {@code flaky  100/s  1500 requests  99.87% correct ≤100 ms  p50 6 ms  p99 51 ms  target ≥99.5%  PASS}.
 *
 * @param scenario         scenario name
 * @param rate             offered requests/s
 * @param target           the scenario's promise
 * @param measured         the measured requests, or empty when the scenario produced no report
 * @param assertionsHeld   Gatling's verdict on the simulation's assertions (built from {@code target})
 * @param report           the report's directory, or empty
 */
public record RunSummary(String scenario, double rate, LoadTarget target, Optional<Measured> measured,
        boolean assertionsHeld, Optional<Path> report) {

    /**
     * What Gatling measured for the requests named {@link ScenarioSimulation#MEASURED}.
     *
     * @param requests         measured requests (OK and KO)
     * @param correctWithinSlo OK requests: correct and within {@link LoadTarget#SLO_MILLIS}
     * @param p50Millis        median latency of all measured requests, ms, as Gatling's report shows it
     * @param p99Millis        99th percentile, ms
     */
    public record Measured(long requests, long correctWithinSlo, int p50Millis, int p99Millis) {

        public Measured {
            if (requests < 0 || correctWithinSlo < 0 || correctWithinSlo > requests) {
                throw new IllegalArgumentException("need 0 <= correct (" + correctWithinSlo + ") <= requests (" + requests + ")");
            }
        }

        /** Percent correct within the SLO; 0 when nothing was measured (a run without requests proves nothing). */
        public double correctPercent() {
            return requests == 0 ? 0.0 : 100.0 * correctWithinSlo / requests;
        }
    }

    public RunSummary {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(measured, "measured");
        Objects.requireNonNull(report, "report");
    }

    public static RunSummary notRun(String scenario, double rate, LoadTarget target) {
        return new RunSummary(scenario, rate, target, Optional.empty(), false, Optional.empty());
    }

    /** Gatling's assertions held, on at least one measured request. */
    public boolean passed() {
        return assertionsHeld && measured.map(m -> m.requests() > 0).orElse(false);
    }

    public String line() {
        String head = String.format(Locale.ROOT, "%-14s %4.0f/s", scenario, rate);
        String tail = String.format(Locale.ROOT, "target ≥%s%%%s  %s", trimmed(target.percent()),
                target.boundsP99() ? ", p99 <" + LoadTarget.SLO_MILLIS + " ms" : "", passed() ? "PASS" : "FAIL");
        return measured.map(m -> String.format(Locale.ROOT, "%s %7d requests  %6.2f%% correct ≤%d ms  p50 %3d ms  p99 %4d ms  %s",
                        head, m.requests(), m.correctPercent(), LoadTarget.SLO_MILLIS, m.p50Millis(), m.p99Millis(), tail))
                .orElse(head + "  no report (the run failed before its end; see its output above)  " + tail);
    }

    /** {@code 99.5} stays {@code 99.5}, {@code 99.0} becomes {@code 99}. */
    private static String trimmed(double percent) {
        return percent == Math.rint(percent) ? Long.toString(Math.round(percent))
                : String.format(Locale.ROOT, "%.1f", percent);
    }
}
