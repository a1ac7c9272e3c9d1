package dev.namegate.load;

/** The "storm" scenario of {@link dev.namegate.bench.Scenarios} under load; see {@link ScenarioSimulation}. */
public final class StormSimulation extends ScenarioSimulation {

    public StormSimulation() {
        super("storm");
    }
}
