package dev.namegate.bench;

import java.util.List;
import java.util.Objects;

/**
 * One benchmark scenario: how the simulator misbehaves and what load it gets.
 *
 * @param name            the name used on the command line and in the table
 * @param simulatorArgs   arguments for the simulator ({@code --port=0} is added by the harness)
 * @param defaultRate     requests/s unless {@code --rate} overrides it
 * @param users           known users of the simulator (ids 1..users); passed as {@code --users}
 * @param unknownFraction share of requests for ids beyond {@code users}
 * @param outage          every answer is expected to be a fast server problem, not a name
 * @param serviceArgs     service settings that describe this internal service (e.g. its rate limit)
 */
public record Scenario(String name, List<String> simulatorArgs, double defaultRate, long users,
        double unknownFraction, boolean outage, List<String> serviceArgs) {

    public Scenario(String name, List<String> simulatorArgs, double defaultRate, long users, double unknownFraction,
            boolean outage) {
        this(name, simulatorArgs, defaultRate, users, unknownFraction, outage, List.of());
    }

    public Scenario {
        Objects.requireNonNull(name, "name");
        simulatorArgs = List.copyOf(simulatorArgs);
        serviceArgs = List.copyOf(serviceArgs);
        if (simulatorArgs.stream().anyMatch(arg -> arg.startsWith("--users="))) {
            throw new IllegalArgumentException(name + ": give users as the record field, not in simulatorArgs");
        }
    }

    public IdMix ids() {
        return new IdMix(users, unknownFraction);
    }

    /** The simulator arguments including {@code --users}, so the harness and simulator agree on it. */
    public List<String> fullSimulatorArgs() {
        return java.util.stream.Stream.concat(simulatorArgs.stream(), java.util.stream.Stream.of("--users=" + users))
                .toList();
    }
}
