package dev.namegate.load;

/**
 * The scenarios' load shape against a deployed service: {@code make load TARGET=https://... KEY=...}.
 * Nothing is started; its names are unknown here, so a right answer is the id asked for with a
 * name, or a 404 problem, within 100 ms.
 */
public class DeploymentSimulation extends ScenarioSimulation {

    public DeploymentSimulation() {
        super(DEPLOYMENT);
    }
}
