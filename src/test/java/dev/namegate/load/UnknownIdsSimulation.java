package dev.namegate.load;

/** The "unknown-ids" scenario of {@link dev.namegate.bench.Scenarios} under load; see {@link ScenarioSimulation}. */
public final class UnknownIdsSimulation extends ScenarioSimulation {

    public UnknownIdsSimulation() {
        super("unknown-ids");
    }
}
