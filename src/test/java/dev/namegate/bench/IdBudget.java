package dev.namegate.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.namegate.limits.LimitsProperties;

/**
 * The distinct ids a run asks one service for, against what the service counts for the bench key:
 * its quota of distinct ids per day, and at most the replica's {@code max-tracked-ids}. With ids
 * from 1..10^9 every request is a new id, so a long or fast run would cross the bound and its later
 * rows would measure {@code quota-exceeded} (or replica-full {@code overloaded}) answers, not the
 * service: such a run is refused before anything starts. The count is an upper bound: each phase's requests
 * ({@link LoadPlan#count()}), the known ids capped by the hot set a Zipf mix draws from.
 */
final class IdBudget {

    /** New ids per second a closed-loop sweep must be able to ask for: more than one core here serves (HAProxy: ~30,000). */
    static final int CLOSED_LOOP_MISS_RATE = 100_000;

    private static final Pattern IDS_PER_DAY = Pattern.compile("(?:^|\\s)ids-per-day=(\\d+)(?:\\s|$)");

    private IdBudget() {
    }

    /**
     * Why {@code options} would cross the key's quota, or empty when the run fits (or no service
     * counts ids: direct and naive runs, limits switched off).
     */
    static Optional<String> overrun(BenchOptions options) {
        if (options.mode() == BenchOptions.Mode.CLOSED_LOOP) {
            return closedLoopOverrun(options);
        }
        OptionalInt quota = quota(options);
        long asked = Math.min(distinctIdsPerService(options), idsPerWindow(options));
        if (quota.isEmpty() || asked <= quota.getAsInt()) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "this run asks one service for up to %,d distinct ids, more than"
                + " it counts for the key (%,d: the key's ids-per-day, at most namegate.limits.quota.max-tracked-ids):"
                + " later rows would measure refusals. Ask for fewer ids (shorter or slower phases, fewer scenarios,"
                + " or a hot set: --ids=zipf:100000:1.0) or raise the bounds (--key-attributes=\"... ids-per-day=N\","
                + " --service-args=--namegate.limits.quota.max-tracked-ids=N).", asked, quota.getAsInt()));
    }

    /**
     * The distinct ids the service counts for the key: its {@code ids-per-day=} attribute, else
     * the service's default as its arguments leave it, and no more than the replica tracks; empty
     * when the service counts no ids.
     */
    static OptionalInt quota(BenchOptions options) {
        if (options.direct() || options.naive()) {
            return OptionalInt.empty();
        }
        return quota(options, serviceLimits(options.serviceArgs()));
    }

    private static OptionalInt quota(BenchOptions options, LimitsProperties limits) {
        if (!limits.enabled()) {
            return OptionalInt.empty();
        }
        Matcher attribute = IDS_PER_DAY.matcher(options.keyAttributes());
        int idsPerDay = attribute.find() ? Integer.parseInt(attribute.group(1)) : limits.quota().idsPerDay();
        return OptionalInt.of((int) Math.min(idsPerDay, limits.quota().maxTrackedIds()));
    }

    /**
     * A closed loop asks for as many ids as the service answers, so the count is bounded by time
     * instead: the sweep's service counts ids over a short window ({@link ClosedLoopSweep}), and
     * the quota then admits up to quota / window new ids per second. Why that is below
     * {@link #CLOSED_LOOP_MISS_RATE}, or empty when it is not (or no namegate target asks for new ids).
     */
    private static Optional<String> closedLoopOverrun(BenchOptions options) {
        LimitsProperties limits = serviceLimits(ClosedLoopSweep.serviceArgs(options));
        OptionalInt quota = quota(options, limits);
        if (quota.isEmpty() || !options.targets().contains(ClosedLoopTarget.MISSES)) {
            return Optional.empty();
        }
        double ceiling = quota.getAsInt() / (limits.quota().window().toMillis() / 1000.0);
        if (ceiling >= CLOSED_LOOP_MISS_RATE) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "the closed loop's misses would meet the key's quota at %,.0f new"
                + " ids/s (%,d ids, the key's ids-per-day or at most namegate.limits.quota.max-tracked-ids, per"
                + " namegate.limits.quota.window of %s), below the %,d/s the sweep must be able to ask for: shorten the"
                + " window (--service-args=--namegate.limits.quota.window=5s) or raise the bounds.", ceiling,
                quota.getAsInt(), limits.quota().window(), CLOSED_LOOP_MISS_RATE));
    }

    /**
     * The most distinct ids one service is asked for: the whole sequence's (warm-up, and each
     * scenario's settle and measured phase), or in fresh mode the most any scenario's own service gets.
     */
    static long distinctIdsPerService(BenchOptions options) {
        if (options.mode() == BenchOptions.Mode.SEQUENCE) {
            Phases all = new Phases(options);
            all.add(Scenarios.named("healthy"), ramp(options.warmupRate(), options.warmup()));
            for (Scenario scenario : options.scenarios()) {
                all.add(scenario, constant(options.rateOf(scenario), options.settle()));
                all.add(scenario, constant(options.rateOf(scenario), options.duration()));
            }
            return all.distinctIds();
        }
        long most = 0;
        for (Scenario scenario : options.scenarios()) {
            Phases own = new Phases(options);
            if (!options.warmup().isZero()) {
                own.add(scenario, options.warmupPlan(scenario).count());
            }
            options.measuredPlans(scenario).forEach(plan -> own.add(scenario, plan.count()));
            most = Math.max(most, own.distinctIds());
        }
        return most;
    }

    /**
     * The most ids the quota can hold at once: it forgets an id after its window, so a run longer
     * than the window is bounded by its fastest rate over one window, not by all it asks for.
     */
    static long idsPerWindow(BenchOptions options) {
        double fastest = options.mode() == BenchOptions.Mode.SEQUENCE ? options.warmupRate() : 0;
        for (Scenario scenario : options.scenarios()) {
            for (LoadPlan plan : options.measuredPlans(scenario)) {
                fastest = Math.max(fastest, plan.rate());
            }
        }
        Duration window = serviceLimits(options.serviceArgs()).quota().window();
        return (long) Math.ceil(fastest * window.toMillis() / 1000.0);
    }

    private static long constant(double rate, Duration duration) {
        return duration.isZero() ? 0 : new LoadPlan(rate, duration, LoadPlan.DEFAULT_SLO, 0).count();
    }

    private static long ramp(double rate, Duration duration) {
        return duration.isZero() ? 0 : new LoadPlan(rate, duration, LoadPlan.DEFAULT_SLO, 0)
                .rampingFrom(SequenceRun.WARMUP_START_FRACTION).count();
    }

    /** The service's limits with their defaults, as {@code --namegate.limits...=} arguments set them. */
    private static LimitsProperties serviceLimits(List<String> serviceArgs) {
        Map<String, String> given = new HashMap<>();
        for (String arg : serviceArgs) {
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 2) {
                given.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
        }
        return new Binder(new MapConfigurationPropertySource(given)).bindOrCreate("namegate.limits",
                LimitsProperties.class);
    }

    /** Requests of the phases one service gets, split into unknown ids and known ones. */
    private static final class Phases {
        private final long knownIdSpace;
        private long unknown;
        private long known;

        Phases(BenchOptions options) {
            this.knownIdSpace = options.ids().largestId(Scenarios.USERS);
        }

        void add(Scenario scenario, long requests) {
            long unknownOnes = Math.round(requests * scenario.unknownFraction());
            unknown += unknownOnes;
            known += requests - unknownOnes;
        }

        /** Unknown ids are drawn from a billion, practically all new; known ones at most the hot set. */
        long distinctIds() {
            return unknown + Math.min(known, knownIdSpace);
        }
    }
}
