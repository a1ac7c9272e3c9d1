package dev.namegate.bench;

import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.stream.DoubleStream;

/**
 * One target at one number of connections over every round of a closed-loop sweep. A target's
 * speed moves from one 10 s step to the next by more than the differences sought, so the best of
 * a single round's steps is biased upward against any one step; a share of the peak is read from
 * means over rounds measured in turn on one running target.
 *
 * @param target      what was loaded
 * @param connections wrk's connections
 * @param steps       the steps measured at these connections, one per round, in order
 */
record ClosedLoopMean(ClosedLoopTarget target, int connections, List<ClosedLoopRow> steps) {

    static final String HEADER = """
            | target | connections | rounds | correct/s, mean | lowest – highest | share of the best mean \
            | p50 ms, mean | p99 ms, mean | p99 ms, highest | non-2xx |
            |---|--:|--:|--:|--:|--:|--:|--:|--:|--:|""";

    ClosedLoopMean {
        Objects.requireNonNull(target, "target");
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("no step");
        }
    }

    /** The rows grouped by target (in the rows' order) and connections (ascending). */
    static List<ClosedLoopMean> of(List<ClosedLoopRow> rows) {
        Map<ClosedLoopTarget, Map<Integer, List<ClosedLoopRow>>> grouped = new LinkedHashMap<>();
        for (ClosedLoopRow row : rows) {
            grouped.computeIfAbsent(row.target(), target -> new LinkedHashMap<>())
                    .computeIfAbsent(row.connections(), connections -> new ArrayList<>()).add(row);
        }
        List<ClosedLoopMean> means = new ArrayList<>();
        grouped.forEach((target, byConnections) -> byConnections.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(entry -> means.add(new ClosedLoopMean(target, entry.getKey(), entry.getValue()))));
        return means;
    }

    double correctPerSecond() {
        return correct().getAverage();
    }

    double lowestCorrectPerSecond() {
        return correct().getMin();
    }

    double highestCorrectPerSecond() {
        return correct().getMax();
    }

    private DoubleSummaryStatistics correct() {
        return steps.stream().mapToDouble(row -> row.wrk().correctPerSecond()).summaryStatistics();
    }

    /** Mean p50 over the steps with answers, ms; NaN when none had any. */
    double p50Millis() {
        return answeredMillis(WrkResult::p50Micros).average().orElse(Double.NaN);
    }

    /** Mean p99 over the steps with answers, ms; NaN when none had any. */
    double p99Millis() {
        return answeredMillis(WrkResult::p99Micros).average().orElse(Double.NaN);
    }

    double highestP99Millis() {
        return answeredMillis(WrkResult::p99Micros).max().orElse(Double.NaN);
    }

    /** A latency of each step with answers, ms: a step without any has no latency. */
    private DoubleStream answeredMillis(ToDoubleFunction<WrkResult> micros) {
        return steps.stream().filter(row -> row.wrk().requests() > 0)
                .mapToDouble(row -> micros.applyAsDouble(row.wrk()) / 1000.0);
    }

    long non2xx() {
        return steps.stream().mapToLong(row -> row.wrk().non2xx()).sum();
    }

    /** Its mean against the best mean of its target's connections in {@code means}. */
    double shareOfPeak(List<ClosedLoopMean> means) {
        double peak = means.stream().filter(mean -> mean.target == target).mapToDouble(ClosedLoopMean::correctPerSecond)
                .max().orElseThrow();
        return peak > 0 ? correctPerSecond() / peak : Double.NaN;
    }

    /** The markdown table of {@code means}, one row each. */
    static List<String> table(List<ClosedLoopMean> means) {
        List<String> lines = new ArrayList<>(HEADER.lines().toList());
        for (ClosedLoopMean mean : means) {
            lines.add(String.format(Locale.ROOT, "| %s | %d | %d | %,.0f | %,.0f – %,.0f | %.0f%% | %.2f | %.2f | %.2f | %,d |",
                    mean.target.label(), mean.connections, mean.steps.size(), mean.correctPerSecond(),
                    mean.lowestCorrectPerSecond(), mean.highestCorrectPerSecond(), mean.shareOfPeak(means) * 100,
                    mean.p50Millis(), mean.p99Millis(), mean.highestP99Millis(), mean.non2xx()));
        }
        return lines;
    }
}
