package dev.namegate.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The service's own {@code namegate_*} series from {@code /actuator/prometheus} at one moment
 * (attempt outcomes, refusals, hedges, the guards' state), so a benchmark row can be explained:
 * counters as their change over a phase, gauges as their value at its end.
 *
 * @param counters counter series (with labels) to their value
 * @param gauges   gauge series (with labels) to their value
 * @param problem  why the metrics could not be read, or {@code null}
 */
public record ServiceMetrics(Map<String, Double> counters, Map<String, Double> gauges, String problem) {

    private static final String PREFIX = "namegate_";
    private static final String CACHE_REQUESTS = "namegate_cache_requests_total{";

    public ServiceMetrics {
        counters = Map.copyOf(counters);
        gauges = Map.copyOf(gauges);
    }

    static ServiceMetrics unavailable(String problem) {
        return new ServiceMetrics(Map.of(), Map.of(), problem);
    }

    /** Reads the Prometheus text format; series of other types (timers' buckets...) are left out. */
    static ServiceMetrics parse(String text) {
        Map<String, String> types = new HashMap<>();
        Map<String, Double> counters = new TreeMap<>();
        Map<String, Double> gauges = new TreeMap<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("# TYPE " + PREFIX)) {
                String[] words = line.split(" ");
                if (words.length == 4) {
                    types.put(words[2], words[3]);
                }
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (!line.startsWith(PREFIX) || space < 0) {
                continue;
            }
            String series = line.substring(0, space);
            int brace = series.indexOf('{');
            String type = types.getOrDefault(brace < 0 ? series : series.substring(0, brace), "");
            try {
                double value = Double.parseDouble(line.substring(space + 1));
                if (type.equals("counter")) {
                    counters.put(series, value);
                } else if (type.equals("gauge")) {
                    gauges.put(series, value);
                }
            } catch (NumberFormatException notASample) {
                // e.g. a timestamp after the value: not what the service writes; skipped
            }
        }
        return new ServiceMetrics(counters, gauges, null);
    }

    /**
     * One line per counter that changed since {@code before} ({@code +N}) and per gauge that is
     * not zero now ({@code = N}), indented for stderr.
     */
    String describeSince(ServiceMetrics before) {
        if (problem != null) {
            return "  (metrics unavailable: " + problem + ")";
        }
        List<String> lines = new ArrayList<>();
        new TreeMap<>(counters).forEach((series, value) -> {
            double delta = value - before.counters().getOrDefault(series, 0.0);
            if (delta != 0) {
                lines.add("  " + series + " +" + number(delta));
            }
        });
        new TreeMap<>(gauges).forEach((series, value) -> {
            if (value != 0) {
                lines.add("  " + series + " = " + number(value));
            }
        });
        return lines.isEmpty() ? "  (no namegate metric changed)" : String.join("\n", lines);
    }

    /**
     * Lookups the name cache answered from memory since {@code before}, per lookup it saw
     * ({@code namegate_cache_requests_total}: hit, miss, collapsed, stale); NaN when it saw none
     * or the metrics could not be read.
     */
    double cacheHitRatioSince(ServiceMetrics before) {
        double hits = 0;
        double all = 0;
        for (Map.Entry<String, Double> series : counters.entrySet()) {
            if (series.getKey().startsWith(CACHE_REQUESTS)) {
                double delta = series.getValue() - before.counters().getOrDefault(series.getKey(), 0.0);
                all += delta;
                hits += series.getKey().contains("result=\"hit\"") ? delta : 0;
            }
        }
        return problem != null || before.problem() != null || all <= 0 ? Double.NaN : hits / all;
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.3f", value);
    }
}
