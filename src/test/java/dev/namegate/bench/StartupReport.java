package dev.namegate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/** The startup table: one row per variant, each cell the median of its runs with their range. */
final class StartupReport {

    private StartupReport() {
    }

    /**
     * Median, minimum and maximum of some runs; {@code NaN} (all three) when none is known.
     * The median of an even count is the mean of the middle two.
     */
    record Spread(double median, double min, double max) {

        static Spread of(List<Double> values) {
            double[] known = values.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).sorted().toArray();
            if (known.length == 0) {
                return new Spread(Double.NaN, Double.NaN, Double.NaN);
            }
            int middle = known.length / 2;
            double median = known.length % 2 == 1 ? known[middle] : (known[middle - 1] + known[middle]) / 2;
            return new Spread(median, known[0], known[known.length - 1]);
        }

        /** {@code 2870 (2510–3320)}; a single run is just its value; unknown is "–". */
        String format() {
            if (Double.isNaN(median)) {
                return "–";
            }
            if (min == max) {
                return whole(median);
            }
            return whole(median) + " (" + whole(min) + "–" + whole(max) + ")";
        }

        private static String whole(double value) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
    }

    /**
     * One variant's runs.
     *
     * @param variant its name, e.g. {@code cds}
     * @param how     what was launched, e.g. {@code extracted jar + -XX:SharedArchiveFile}
     * @param jdk     the JDK's version, e.g. {@code 17.0.15}
     */
    record Row(String variant, String how, String jdk, List<StartupSample> samples) {

        Row {
            Objects.requireNonNull(variant, "variant");
            samples = List.copyOf(samples);
        }

        Spread spread(ToDoubleFunction<StartupSample> measure) {
            List<Double> values = new ArrayList<>();
            samples.forEach(sample -> values.add(measure.applyAsDouble(sample)));
            return Spread.of(values);
        }

        String markdown() {
            return "| " + String.join(" | ", variant, how, jdk, Integer.toString(samples.size()),
                    spread(StartupSample::firstAnswerMillis).format(),
                    spread(StartupSample::cpuAtFirstAnswerMillis).format(),
                    spread(StartupSample::startedMillis).format(),
                    spread(StartupSample::readyMillis).format(),
                    spread(StartupSample::rssAtFirstAnswerMiB).format(),
                    spread(StartupSample::rssAtReadyMiB).format()) + " |";
        }
    }

    static String header() {
        return "| variant | launched as | JDK | runs | first right answer ms | CPU by then ms | Spring \"Started\" ms "
                + "| ready ms | RSS at first answer MiB | RSS at ready MiB |\n"
                + "|---|---|---|--:|--:|--:|--:|--:|--:|--:|";
    }

    /** The table, then {@code notes} (one paragraph or list item per entry). */
    static String markdown(List<Row> rows, List<String> notes) {
        StringBuilder out = new StringBuilder(header()).append('\n');
        rows.forEach(row -> out.append(row.markdown()).append('\n'));
        if (!notes.isEmpty()) {
            out.append('\n');
            notes.forEach(note -> out.append(note).append('\n'));
        }
        return out.toString();
    }
}
