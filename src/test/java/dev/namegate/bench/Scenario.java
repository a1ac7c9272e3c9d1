package dev.namegate.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One benchmark scenario: how the simulator misbehaves and what load it gets.
 *
 * @param name            the name used on the command line and in the table
 * @param behaviour       the simulator's failure mode as {@code name=value} pairs with the names
 *                        its command line and {@code PUT /_sim/scenario} share, e.g.
 *                        {@code scenario=flaky}, {@code fail-rate=0.5}; never topology or users,
 *                        which {@link Scenarios} fixes for every scenario
 * @param defaultRate     requests/s unless {@code --rate} overrides it
 * @param unknownFraction share of requests for ids beyond {@link Scenarios#USERS}
 * @param outage          the internal service answers nothing: the service can only answer a name
 *                        its cache still holds, every other answer must be a fast server problem
 */
public record Scenario(String name, List<String> behaviour, double defaultRate, double unknownFraction,
        boolean outage) {

    private static final List<String> FIXED = List.of("port", "instances", "dead-instances", "switchable-instances",
            "users");

    public Scenario {
        Objects.requireNonNull(name, "name");
        behaviour = List.copyOf(behaviour);
        for (String pair : behaviour) {
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException(name + ": expected name=value, got '" + pair + "'");
            }
            if (FIXED.contains(pair.substring(0, eq))) {
                throw new IllegalArgumentException(name + ": " + pair.substring(0, eq)
                        + " is the same for every scenario (Scenarios), not part of one");
            }
        }
    }

    /** The ids of this scenario: known ones picked as {@code known} says, plus its share of unknown ones. */
    public IdMix ids(KnownIds known) {
        return new IdMix(Scenarios.USERS, unknownFraction, known);
    }

    /** Known ids uniformly from the whole id space: practically every request misses the name cache. */
    public IdMix ids() {
        return ids(KnownIds.UNIFORM);
    }

    /**
     * The arguments that start a simulator in this scenario: the common topology and users, then
     * the behaviour ({@code --port=0} is added by {@link SimulatorProcess}).
     */
    public List<String> fullSimulatorArgs() {
        return Stream.concat(Scenarios.SIMULATOR_SETUP.stream(), behaviour.stream().map(pair -> "--" + pair))
                .toList();
    }

    /** The query of {@code PUT /_sim/scenario} that switches a running simulator to this scenario. */
    public String switchQuery() {
        return behaviour.stream().map(pair -> {
            int eq = pair.indexOf('=');
            return pair.substring(0, eq + 1) + URLEncoder.encode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }).collect(Collectors.joining("&"));
    }
}
