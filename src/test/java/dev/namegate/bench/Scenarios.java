package dev.namegate.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every scenario the benchmark knows, in report order: the one table to edit. */
public final class Scenarios {

    private static final long USERS = 1000;

    private static final List<Scenario> ALL = List.of(
            new Scenario("healthy", List.of("--scenario=healthy"), 100, USERS, 0.0, false),
            new Scenario("flaky", List.of("--scenario=flaky", "--fail-rate=0.5"), 100, USERS, 0.0, false),
            new Scenario("slow", List.of("--scenario=slow", "--slow-fraction=0.5", "--slow-delay=150ms"),
                    100, USERS, 0.0, false),
            // 3 of 7 addresses never accept: ~30% of new connects go nowhere.
            new Scenario("bad-instances", List.of("--scenario=bad-instances,closing", "--instances=7",
                    "--dead-instances=3", "--close-fraction=0.5"), 100, USERS, 0.0, false),
            // Only unknown ids: expect 100% 404 and exactly one upstream attempt each (no retry).
            new Scenario("unknown-ids", List.of("--scenario=unknown-ids"), 100, USERS, 1.0, false),
            new Scenario("outage", List.of("--scenario=outage"), 100, USERS, 0.0, true),
            // 60/s offered against a 100/s upstream limit: retries must fit in the remaining 40/s.
            new Scenario("rate-limited", List.of("--scenario=rate-limited,flaky", "--rate-limit=100",
                    "--rate-burst=2", "--fail-rate=0.3"), 60, USERS, 0.0, false,
                    // the internal service documents 100/s: the operator says so (burst 1 of its 2
                    // leaves one for jitter on the way), and 429s still cut below it
                    List.of("--namegate.upstream.rate-limit.ceiling=100", "--namegate.upstream.rate-limit.burst=1")),
            new Scenario("storm", List.of("--scenario=flaky,rate-limited,slow,bad-instances,closing,unknown-ids",
                    "--fail-rate=0.25", "--rate-limit=150", "--rate-burst=5", "--slow-fraction=0.25",
                    "--slow-delay=150ms", "--instances=8", "--dead-instances=2", "--close-fraction=0.5"),
                    80, USERS, 0.10, false,
                    // this internal service allows 150/s with a burst of 5: the operator says so (burst 4
                    // leaves one for jitter on the way)
                    List.of("--namegate.upstream.rate-limit.ceiling=150", "--namegate.upstream.rate-limit.burst=4")));

    private static final Map<String, Scenario> BY_NAME = new LinkedHashMap<>();

    static {
        ALL.forEach(scenario -> BY_NAME.put(scenario.name(), scenario));
    }

    private Scenarios() {
    }

    public static List<Scenario> all() {
        return ALL;
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
