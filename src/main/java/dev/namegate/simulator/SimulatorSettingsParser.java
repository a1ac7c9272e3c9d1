package dev.namegate.simulator;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns {@code name=value} pairs into {@link SimulatorSettings}: one piece of code for the
 * command line ({@code --fail-rate=0.3}) and for {@code PUT /_sim/scenario?fail-rate=0.3}, so
 * both accept exactly the same names and values.
 *
 * <p>Rules: {@code scenario} is a comma-separated list of {@link SimulatorScenario} names, each
 * switching its mode on with its default; explicit parameters then override the defaults, and a
 * mode's parameter switches that mode on by itself ({@code --slow-delay=50ms} alone means slow
 * with the default fraction). {@code healthy} cannot be combined with another scenario or a mode
 * parameter. Every parameter may be given once. Errors are {@link IllegalArgumentException}s
 * whose message names the parameter.
 *
 * <p>Longer than most classes: one parser for the command line and the scenario switch, with a message for every bad value.
 */
public final class SimulatorSettingsParser {

    /** The command-line help, also the body of 400 answers to a bad {@code PUT /_sim/scenario}. */
    public static final String USAGE = """
            Usage: java -Dloader.main=dev.namegate.simulator.SimulatorMain -jar target/namegate.jar [--name=value]...
              --scenario=a,b        healthy | flaky | rate-limited | slow | bad-instances | closing | unknown-ids | outage
                                    (comma-separated, combinable; default healthy)
              --port=0              TCP port of the first live instance on 127.0.0.1 (0 = ephemeral)
              --instances=1         live HTTP instances sharing behaviour and counters
              --dead-instances=1    addresses whose connects never complete (implies bad-instances)
              --switchable-instances=0
                                    the same addresses, serving like the live instances until
                                    bad-instances is switched on (give one of the two)
              --users=1000          ids 1..users exist; greater ids answer 500 "User not exists."
              --fail-rate=0.5       probability of a transient 500 for a known id (implies flaky)
              --rate-limit=100      requests/s, shared by all instances (implies rate-limited)
              --rate-burst=100      requests allowed at once (implies rate-limited)
              --retry-after=0       Retry-After seconds on 429, 0 = no header (implies rate-limited)
              --slow-fraction=0.5   probability that a 200 is delayed (implies slow)
              --slow-delay=150ms    delay: 150ms, 2s or ISO-8601 like PT0.15S (implies slow)
              --close-fraction=0.5  probability of Connection: close on an answer (implies closing)

            At runtime, PUT /_sim/scenario?scenario=a,b&fail-rate=0.3 (same names, except port,
            instances, dead-instances and switchable-instances) replaces the behaviour; what it
            does not name is off. The addresses of --dead-instances/--switchable-instances are dead
            while bad-instances is on and serve otherwise; going dead closes their connections.
            Send it to the first base URL, which is always live.
            """;

    private static final String SCENARIO = "scenario";
    private static final Set<String> TOPOLOGY = Set.of("port", "instances", "dead-instances", "switchable-instances");
    private static final Set<String> MODE_PARAMETERS = Set.of("dead-instances", "fail-rate", "rate-limit",
            "rate-burst", "retry-after", "slow-fraction", "slow-delay", "close-fraction");

    private SimulatorSettingsParser() {
    }

    /**
     * Parses command-line arguments, each {@code --name=value}, starting from
     * {@link SimulatorSettings#defaults()}.
     *
     * @throws IllegalArgumentException on an unknown, repeated, malformed or invalid argument
     */
    public static SimulatorSettings parseArgs(String... args) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 3) {
                throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
            }
            put(params, arg.substring(2, eq), arg.substring(eq + 1));
        }
        return parse(params, SimulatorSettings.builder());
    }

    /**
     * Parses the parameters of {@code PUT /_sim/scenario} into settings that replace
     * {@code running}. They describe the whole behaviour: what is not given takes its default,
     * except {@code users} and the topology, which come from {@code running}. Topology cannot
     * change at runtime because the sockets are already bound; whether the addresses that can be
     * dead are dead ({@code bad-instances}) can.
     *
     * @param params parameter name to its single value
     * @throws IllegalArgumentException on an unknown, topology, malformed or invalid parameter
     */
    public static SimulatorSettings parseRuntime(Map<String, String> params, SimulatorSettings running) {
        for (String name : params.keySet()) {
            if (TOPOLOGY.contains(name)) {
                throw new IllegalArgumentException(name + " is fixed when the simulator starts");
            }
        }
        SimulatorSettings.Builder base = SimulatorSettings.builder()
                .port(running.port())
                .instances(running.instances())
                .deadInstances(running.deadInstances())
                .users(running.users());
        SimulatorSettings parsed = parse(params, base);
        if (!parsed.sameTopology(running)) {
            throw new IllegalArgumentException("bad-instances needs addresses that can be dead: start the simulator"
                    + " with --dead-instances=K or --switchable-instances=K");
        }
        return parsed;
    }

    /**
     * The command-line arguments that recreate {@code settings}: only parameters of active modes
     * appear, so {@code parseArgs(format(s))} equals {@code s}.
     */
    public static List<String> format(SimulatorSettings settings) {
        List<String> args = new ArrayList<>();
        args.add("--port=" + settings.port());
        args.add("--instances=" + settings.instances());
        args.add("--users=" + settings.users());
        List<String> scenarios = settings.scenarios();
        args.add("--scenario=" + (scenarios.isEmpty() ? SimulatorScenario.HEALTHY.cliName() : String.join(",", scenarios)));
        if (settings.deadInstances() > 0) {
            args.add((settings.badInstances() ? "--dead-instances=" : "--switchable-instances=")
                    + settings.deadInstances());
        }
        if (settings.failRate() > 0) {
            args.add("--fail-rate=" + settings.failRate());
        }
        if (settings.rateLimited()) {
            args.add("--rate-limit=" + settings.rateLimit());
            args.add("--rate-burst=" + settings.rateBurst());
            args.add("--retry-after=" + settings.retryAfterSeconds());
        }
        if (settings.slowFraction() > 0) {
            args.add("--slow-fraction=" + settings.slowFraction());
            args.add("--slow-delay=" + formatDuration(settings.slowDelay()));
        }
        if (settings.closeFraction() > 0) {
            args.add("--close-fraction=" + settings.closeFraction());
        }
        return List.copyOf(args);
    }

    static void put(Map<String, String> params, String name, String value) {
        if (params.putIfAbsent(name, value) != null) {
            throw new IllegalArgumentException(name + " is given more than once");
        }
    }

    private static SimulatorSettings parse(Map<String, String> params, SimulatorSettings.Builder builder) {
        if (params.containsKey("dead-instances") && params.containsKey("switchable-instances")) {
            throw new IllegalArgumentException("dead-instances and switchable-instances name the same addresses:"
                    + " give one of them");
        }
        String scenarioList = params.get(SCENARIO);
        if (scenarioList != null) {
            applyScenarios(scenarioList, params, builder);
        }
        for (Map.Entry<String, String> param : params.entrySet()) {
            String name = param.getKey();
            String value = param.getValue();
            if (value.isEmpty()) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            switch (name) {
                case SCENARIO -> { }
                case "port" -> builder.port(parseInt(name, value));
                case "instances" -> builder.instances(parseInt(name, value));
                case "dead-instances" -> deadInstances(builder, parseInt(name, value));
                case "switchable-instances" -> builder.deadInstances(parseInt(name, value));
                case "users" -> builder.users(parseLong(name, value));
                case "fail-rate" -> builder.failRate(parseDouble(name, value));
                case "rate-limit" -> builder.rateLimited().rateLimit(parseDouble(name, value));
                case "rate-burst" -> builder.rateLimited().rateBurst(parseInt(name, value));
                case "retry-after" -> builder.rateLimited().retryAfterSeconds(parseInt(name, value));
                case "slow-fraction" -> builder.slowFraction(parseDouble(name, value));
                // A delay alone means "slow": without a fraction it would silently do nothing.
                case "slow-delay" -> builder.slow().slowDelay(parseDuration(name, value));
                case "close-fraction" -> builder.closeFraction(parseDouble(name, value));
                default -> throw new IllegalArgumentException("unknown parameter " + name);
            }
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid settings: " + e.getMessage(), e);
        }
    }

    /** {@code --dead-instances=K}: K addresses, dead from the start (0 = none, as before). */
    private static void deadInstances(SimulatorSettings.Builder builder, int count) {
        builder.deadInstances(count);
        if (count > 0) {
            builder.badInstances(true);
        }
    }

    private static void applyScenarios(String list, Map<String, String> params, SimulatorSettings.Builder builder) {
        String[] names = list.split(",", -1);
        for (String raw : names) {
            String name = raw.trim().toLowerCase(Locale.ROOT);
            SimulatorScenario scenario = SimulatorScenario.byCliName(name).orElseThrow(
                    () -> new IllegalArgumentException("unknown scenario '" + raw + "' in scenario=" + list));
            if (scenario == SimulatorScenario.HEALTHY
                    && (names.length > 1 || params.keySet().stream().anyMatch(MODE_PARAMETERS::contains))) {
                throw new IllegalArgumentException("healthy cannot be combined with another scenario or mode parameter");
            }
            scenario.applyTo(builder);
        }
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'", e);
        }
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'", e);
        }
    }

    private static double parseDouble(String name, String value) {
        try {
            double parsed = Double.parseDouble(value);
            if (!Double.isFinite(parsed)) {
                throw new NumberFormatException("not finite");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + value + "'", e);
        }
    }

    /** {@code 150ms}, {@code 2s} or ISO-8601 ({@code PT0.15S}); a bare number is refused as ambiguous. */
    static Duration parseDuration(String name, String value) {
        try {
            String lower = value.toLowerCase(Locale.ROOT);
            if (lower.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(lower.substring(0, lower.length() - 2)));
            }
            if (lower.endsWith("s") && !lower.startsWith("pt")) {
                return Duration.ofSeconds(Long.parseLong(lower.substring(0, lower.length() - 1)));
            }
            return Duration.parse(value);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be a duration like 150ms, 2s or PT0.15S, got '" + value + "'", e);
        }
    }

    private static String formatDuration(Duration duration) {
        return duration.toNanos() % 1_000_000 == 0 ? duration.toMillis() + "ms" : duration.toString();
    }
}
