package dev.namegate.simulator;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The failure modes of the story, by the names the CLI and {@code PUT /_sim/scenario} accept.
 * Each name switches its mode on with its default; explicit parameters override the default.
 */
public enum SimulatorScenario {
    /** No failures; cannot be combined with another scenario. */
    HEALTHY("healthy", SimulatorSettings.Builder::healthy),
    /** Transient 500s. */
    FLAKY("flaky", SimulatorSettings.Builder::flaky),
    /** 429 above the rate limit. */
    RATE_LIMITED("rate-limited", SimulatorSettings.Builder::rateLimited),
    /** Some answers arrive late. */
    SLOW("slow", SimulatorSettings.Builder::slow),
    /** Some addresses never complete a TCP connect. */
    BAD_INSTANCES("bad-instances", SimulatorSettings.Builder::badInstances),
    /** Answers with {@code Connection: close}, so clients connect again (and hit dead instances). */
    CLOSING("closing", SimulatorSettings.Builder::closing),
    /**
     * Ids above {@code users} answer 500 {@code User not exists.}. Always true of the
     * simulator; the name is accepted so a scenario list can say it out loud.
     */
    UNKNOWN_IDS("unknown-ids", b -> b),
    /** Every request answers 500 {@code Internal error}. */
    OUTAGE("outage", SimulatorSettings.Builder::outage);

    private final String cliName;
    private final UnaryOperator<SimulatorSettings.Builder> switchOn;

    SimulatorScenario(String cliName, UnaryOperator<SimulatorSettings.Builder> switchOn) {
        this.cliName = cliName;
        this.switchOn = switchOn;
    }

    /** The name on the command line and in {@code scenario=} query parameters. */
    public String cliName() {
        return cliName;
    }

    /** Switches this mode on in {@code builder}, keeping modes already on. */
    public SimulatorSettings.Builder applyTo(SimulatorSettings.Builder builder) {
        return switchOn.apply(builder);
    }

    /** The scenario with this CLI name, if any. */
    public static Optional<SimulatorScenario> byCliName(String name) {
        return Arrays.stream(values()).filter(s -> s.cliName.equals(name)).findFirst();
    }
}
