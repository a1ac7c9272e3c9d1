package dev.namegate.load;

/** The "rate-limited" scenario of {@link dev.namegate.bench.Scenarios} under load; see {@link ScenarioSimulation}. */
public final class RateLimitedSimulation extends ScenarioSimulation {

    public RateLimitedSimulation() {
        super("rate-limited");
    }
}
