package dev.namegate.load;

/** The "slow" scenario of {@link dev.namegate.bench.Scenarios} under load; see {@link ScenarioSimulation}. */
public final class SlowSimulation extends ScenarioSimulation {

    public SlowSimulation() {
        super("slow");
    }
}
