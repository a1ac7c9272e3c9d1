package dev.namegate.upstream.client;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.namegate.upstream.attempt.AttemptOutcome;
import dev.namegate.upstream.hedging.HedgedAttempts.HedgeListener;

/**
 * Counters of what happens toward the internal service. Every meter is made once, so counting
 * on the hot path is an array read and an add:
 * <ul>
 *   <li>{@code namegate.upstream.attempts{outcome}}: attempts by outcome;</li>
 *   <li>{@code namegate.upstream.attempt.duration{outcome}}: how long each attempt took, from
 *       the send to its outcome; a histogram only with the buckets that
 *       {@code management.metrics.distribution.slo.namegate.upstream.attempt.duration} names
 *       (application.yaml), no percentiles computed in the process;</li>
 *   <li>{@code namegate.upstream.refusals{reason}}: attempts not made (breaker open, no rate
 *       permit in time, retry budget spent);</li>
 *   <li>{@code namegate.upstream.hedges.sent} and {@code .won};</li>
 *   <li>{@code namegate.upstream.hedges.held.back}: lookups whose due hedge waited for a rate
 *       permit, once a lookup (pacing that binds on hedges shows here before it shows in
 *       latency).</li>
 * </ul>
 */
public final class UpstreamMetrics implements HedgeListener {

    /** Why an attempt was not made. */
    public enum Refusal { BREAKER_OPEN, RATE_LIMIT, BUDGET }

    private final Counter[] attempts;
    private final Timer[] durations;
    private final Counter[] refusals;
    private final Counter hedgesSent;
    private final Counter hedgesWon;
    private final Counter hedgesHeldBack;

    public UpstreamMetrics(MeterRegistry registry) {
        attempts = new Counter[AttemptOutcome.values().length];
        durations = new Timer[AttemptOutcome.values().length];
        for (AttemptOutcome outcome : AttemptOutcome.values()) {
            String tag = outcome.name().toLowerCase(Locale.ROOT);
            attempts[outcome.ordinal()] = Counter.builder("namegate.upstream.attempts")
                    .description("Attempts toward the internal user service, by outcome")
                    .tag("outcome", tag)
                    .register(registry);
            durations[outcome.ordinal()] = Timer.builder("namegate.upstream.attempt.duration")
                    .description("Time from sending an attempt to its outcome, by outcome")
                    .tag("outcome", tag)
                    .register(registry);
        }
        refusals = new Counter[Refusal.values().length];
        for (Refusal refusal : Refusal.values()) {
            refusals[refusal.ordinal()] = Counter.builder("namegate.upstream.refusals")
                    .description("Attempts not made: breaker open, no rate permit in time, retry budget spent")
                    .tag("reason", refusal.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        hedgesSent = Counter.builder("namegate.upstream.hedges.sent").description("Hedged attempts sent").register(registry);
        hedgesWon = Counter.builder("namegate.upstream.hedges.won").description("Hedged attempts that answered first").register(registry);
        hedgesHeldBack = Counter.builder("namegate.upstream.hedges.held.back")
                .description("Lookups whose due hedge waited for a rate permit, once a lookup").register(registry);
    }

    /** One attempt ended with {@code outcome}, {@code nanos} after it was sent. */
    public void record(AttemptOutcome outcome, long nanos) {
        attempts[outcome.ordinal()].increment();
        durations[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    public void refused(Refusal refusal) {
        refusals[refusal.ordinal()].increment();
    }

    @Override
    public void hedgeSent() {
        hedgesSent.increment();
    }

    @Override
    public void hedgeWon() {
        hedgesWon.increment();
    }

    /** A lookup's due hedge found no rate permit free; called once a lookup. */
    public void hedgeHeldBack() {
        hedgesHeldBack.increment();
    }
}
