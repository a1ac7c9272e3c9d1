package dev.namegate.limits;

import java.util.Locale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The 429s the limits answer with, told apart: {@code namegate.limits.refused{reason}} with
 * {@code rate} (the client's token bucket), {@code quota} (its distinct ids per window) and
 * {@code throttle} (a failing key from an address with too many failed authentications). Every
 * counter is made once, so counting is an array read and an add.
 */
public final class LimitRefusals {

    /** Why a request got a 429. */
    public enum Reason { RATE, QUOTA, THROTTLE }

    private final Counter[] counters = new Counter[Reason.values().length];

    public LimitRefusals(MeterRegistry registry) {
        for (Reason reason : Reason.values()) {
            counters[reason.ordinal()] = Counter.builder("namegate.limits.refused")
                    .description("Requests answered 429 by the limits: rate, quota, or throttle (failed authentications)")
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    void refused(Reason reason) {
        counters[reason.ordinal()].increment();
    }
}
