package dev.namegate.upstream.client;

import java.util.Objects;

import dev.namegate.upstream.breaker.AttemptBreaker;
import dev.namegate.upstream.hedging.HedgeDelay;
import dev.namegate.upstream.pacing.Pacing;
import dev.namegate.upstream.retry.RetryBudget;

/**
 * What protects the internal service and the tail. A guard that is switched off is its no-op
 * object ({@link RetryBudget#UNLIMITED}, {@link AttemptBreaker#NONE}, {@link Pacing#UNLIMITED},
 * {@link HedgeDelay#OFF}, {@link OwnLoad#NONE}), never {@code null}.
 *
 * @param budget bounds retries and hedges by first attempts
 * @param breaker stops attempts while nearly all fail
 * @param pacing paces attempts to the internal service's rate, earliest deadline first
 * @param hedgeDelay time without an answer before a hedge
 * @param maxHedges hedges per lookup
 * @param ownLoad whether a missed timeout may be our own doing
 */
record Guards(RetryBudget budget, AttemptBreaker breaker, Pacing pacing, HedgeDelay hedgeDelay, int maxHedges,
        OwnLoad ownLoad) {

    /** Nothing but retries and timeouts: every guard off. */
    static final Guards NONE = new Guards(RetryBudget.UNLIMITED, AttemptBreaker.NONE, Pacing.UNLIMITED, HedgeDelay.OFF, 0,
            OwnLoad.NONE);

    Guards {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(pacing, "pacing");
        Objects.requireNonNull(hedgeDelay, "hedgeDelay");
        Objects.requireNonNull(ownLoad, "ownLoad");
    }
}
