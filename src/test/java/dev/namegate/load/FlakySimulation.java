package dev.namegate.load;

/** The "flaky" scenario of {@link dev.namegate.bench.Scenarios} under load; see {@link ScenarioSimulation}. */
public final class FlakySimulation extends ScenarioSimulation {

    public FlakySimulation() {
        super("flaky");
    }
}
