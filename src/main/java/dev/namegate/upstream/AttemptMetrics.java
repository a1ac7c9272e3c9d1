package dev.namegate.upstream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts upstream attempts by outcome ({@code namegate.upstream.attempts{outcome=...}}). The
 * counters are made once, so counting on the hot path is one array read and one add.
 */
public final class AttemptMetrics {

    private final Counter[] byOutcome;

    public AttemptMetrics(MeterRegistry registry) {
        AttemptOutcome[] outcomes = AttemptOutcome.values();
        byOutcome = new Counter[outcomes.length];
        for (AttemptOutcome outcome : outcomes) {
            byOutcome[outcome.ordinal()] = Counter.builder("namegate.upstream.attempts")
                    .description("Attempts toward the internal user service, by outcome")
                    .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry);
        }
    }

    public void record(AttemptOutcome outcome) {
        byOutcome[outcome.ordinal()].increment();
    }
}
