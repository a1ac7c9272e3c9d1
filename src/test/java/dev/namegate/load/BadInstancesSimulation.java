package dev.namegate.load;

/** The "bad-instances" scenario of {@link dev.namegate.bench.Scenarios} under load; see {@link ScenarioSimulation}. */
public final class BadInstancesSimulation extends ScenarioSimulation {

    public BadInstancesSimulation() {
        super("bad-instances");
    }
}
