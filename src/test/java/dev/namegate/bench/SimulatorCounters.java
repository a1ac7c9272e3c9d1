package dev.namegate.bench;

import java.util.Map;

/**
 * The simulator's counters ({@code GET /_sim/counters}) that the summary uses.
 *
 * @param attempts    every request the simulator received (the service's upstream attempts)
 * @param rateLimited 429 answers
 * @param all         every counter as reported, for the log
 */
public record SimulatorCounters(long attempts, long rateLimited, Map<String, Long> all) {

    public SimulatorCounters {
        all = Map.copyOf(all);
    }

    static SimulatorCounters of(Map<String, Long> counters) {
        return new SimulatorCounters(counters.getOrDefault("attempts", -1L),
                counters.getOrDefault("rateLimited", -1L), counters);
    }
}
