package dev.namegate.load;

/** The "outage" scenario of {@link dev.namegate.bench.Scenarios} under load; see {@link ScenarioSimulation}. */
public final class OutageSimulation extends ScenarioSimulation {

    public OutageSimulation() {
        super("outage");
    }
}
