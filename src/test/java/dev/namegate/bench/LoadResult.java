package dev.namegate.bench;

import java.util.Map;
import java.util.Objects;

import org.HdrHistogram.Histogram;

/**
 * What one open-loop phase measured. Latencies are in microseconds, from each request's
 * intended send time to its completion (answer, timeout or error), so a stalled server shows
 * up as latency instead of as a quietly lower request rate.
 *
 * @param requests         requests in the schedule (sent or not)
 * @param correct          answers judged correct
 * @param correctWithinSlo correct answers whose latency was within the plan's SLO
 * @param wrong            answers judged wrong
 * @param failed           timeouts, connection errors, and requests never sent or never finished
 * @param latencyMicros    every finished request's latency; a private copy
 * @param answeredMicros   every answer's time from its actual send (the request written) to its
 *                         reading: what the service and the generator's reading took, without the
 *                         wait for a send; a private copy
 * @param maxSendLagMicros worst delay between an intended and an actual send: if it is large the
 *                         generator itself could not keep up and the numbers are suspect
 * @param failureCauses    failed requests by cause (an exception's simple name, {@code NoConnectionInTime},
 *                         {@code ResponseTimeout}, {@code ClosedBeforeAnswer}, {@code NotSent}, {@code Abandoned})
 * @param wrongByStatus    wrong answers by HTTP status
 * @param cache            what the answers' {@code Cache-Status} headers said
 * @param lateTimeline     where in the schedule the answers after the SLO were (finished requests only)
 */
public record LoadResult(long requests, long correct, long correctWithinSlo, long wrong, long failed,
        Histogram latencyMicros, Histogram answeredMicros, long maxSendLagMicros, Map<String, Long> failureCauses,
        Map<Integer, Long> wrongByStatus, CacheCounts cache, LateTimeline lateTimeline) {

    public LoadResult {
        Objects.requireNonNull(latencyMicros, "latencyMicros");
        Objects.requireNonNull(answeredMicros, "answeredMicros");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(lateTimeline, "lateTimeline");
        failureCauses = Map.copyOf(failureCauses);
        wrongByStatus = Map.copyOf(wrongByStatus);
        latencyMicros = latencyMicros.copy();
        answeredMicros = answeredMicros.copy();
    }

    @Override
    public Histogram latencyMicros() {
        return latencyMicros.copy();
    }

    @Override
    public Histogram answeredMicros() {
        return answeredMicros.copy();
    }

    /** Latency at {@code percentile} (0..100) in milliseconds; 0 when nothing finished. */
    public double percentileMillis(double percentile) {
        return percentileMillis(latencyMicros, percentile);
    }

    /** An answer's time from its actual send at {@code percentile} (0..100) in milliseconds; 0 when none came. */
    public double answeredPercentileMillis(double percentile) {
        return percentileMillis(answeredMicros, percentile);
    }

    private static double percentileMillis(Histogram micros, double percentile) {
        return micros.getTotalCount() == 0 ? 0.0 : micros.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxMillis() {
        return latencyMicros.getTotalCount() == 0 ? 0.0 : latencyMicros.getMaxValue() / 1000.0;
    }
}
