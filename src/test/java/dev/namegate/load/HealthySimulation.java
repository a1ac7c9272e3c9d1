package dev.namegate.load;

/** The "healthy" scenario of {@link dev.namegate.bench.Scenarios} under load; see {@link ScenarioSimulation}. */
public final class HealthySimulation extends ScenarioSimulation {

    public HealthySimulation() {
        super("healthy");
    }
}
