package dev.namegate.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every scenario the benchmark knows, in the story's order: the one table to edit. All share one
 * simulator topology and id space, so a sequence can switch a running simulator from one to the
 * next, and a scenario started fresh meets the same simulator.
 */
public final class Scenarios {

    /**
     * Known ids 1..10^9 (the simulator names any id): drawn uniformly, practically every request
     * misses the service's name cache.
     */
    public static final long USERS = 1_000_000_000L;

    /**
     * The simulator every scenario runs on: 8 instances always live and 3 addresses that are dead
     * while bad-instances is on and serve otherwise (3 of 11 addresses dead: about 27% of new
     * connects go nowhere), ids 1..{@link #USERS} known.
     */
    public static final List<String> SIMULATOR_SETUP = List.of("--instances=8", "--switchable-instances=3",
            "--users=" + USERS);

    private static final List<Scenario> ALL = List.of(
            new Scenario("healthy", List.of("scenario=healthy"), 100, 0.0, false),
            new Scenario("flaky", List.of("scenario=flaky", "fail-rate=0.5"), 100, 0.0, false),
            // 60/s offered against a 100/s upstream limit with 30% 500s: retries must fit in the
            // remaining 40/s, and the service has to find the limit itself.
            new Scenario("rate-limited", List.of("scenario=rate-limited,flaky", "rate-limit=100", "rate-burst=2",
                    "fail-rate=0.3"), 60, 0.0, false),
            new Scenario("slow", List.of("scenario=slow", "slow-fraction=0.5", "slow-delay=150ms"), 100, 0.0, false),
            new Scenario("bad-instances", List.of("scenario=bad-instances,closing", "close-fraction=0.5"),
                    100, 0.0, false),
            // Only unknown ids: expect 100% 404 and exactly one upstream attempt each (no retry).
            new Scenario("unknown-ids", List.of("scenario=unknown-ids"), 100, 1.0, false),
            new Scenario("storm", List.of("scenario=flaky,rate-limited,slow,bad-instances,closing,unknown-ids",
                    "fail-rate=0.25", "rate-limit=150", "rate-burst=5", "slow-fraction=0.25", "slow-delay=150ms",
                    "close-fraction=0.5"), 80, 0.10, false),
            new Scenario("outage", List.of("scenario=outage"), 100, 0.0, true));

    /**
     * Named on the command line only, outside the story: the healthy service at four times the
     * story's traffic, the day's peak. After a rate-limit incident it shows what the rate limiter
     * still remembers of it (docs/adaptive-state.md).
     */
    private static final List<Scenario> BY_NAME_ONLY = List.of(
            new Scenario("peak", List.of("scenario=healthy"), 400, 0.0, false));

    private static final Map<String, Scenario> BY_NAME = new LinkedHashMap<>();

    static {
        ALL.forEach(scenario -> BY_NAME.put(scenario.name(), scenario));
        BY_NAME_ONLY.forEach(scenario -> BY_NAME.put(scenario.name(), scenario));
    }

    private Scenarios() {
    }

    /** Every scenario once, in the story's order. */
    public static List<Scenario> all() {
        return ALL;
    }

    /** The default sequence: every scenario in order, then healthy again to show the recovery. */
    public static List<Scenario> sequence() {
        return Stream.concat(ALL.stream(), Stream.of(named("healthy"))).toList();
    }

    /** @throws IllegalArgumentException naming the unknown scenario and the known ones */
    public static Scenario named(String name) {
        Scenario scenario = BY_NAME.get(name);
        if (scenario == null) {
            throw new IllegalArgumentException("unknown scenario '" + name + "'; known: " + String.join(",", BY_NAME.keySet()));
        }
        return scenario;
    }
}
