package dev.namegate.load;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Function;

import dev.namegate.bench.Scenario;
import dev.namegate.bench.Scenarios;

/**
 * What {@code make load} asks for, read from system properties (the Gatling Maven plugin passes
 * Maven's {@code -D} options on to the simulation's JVM). A blank value means "not given", so the
 * Makefile can pass every property whether or not the user set it.
 *
 * <ul>
 * <li>{@code load.scenario}: {@code all} (default) or scenario names joined by commas</li>
 * <li>{@code load.rate}: requests/s for every scenario (default: each scenario's own)</li>
 * <li>{@code load.duration}: seconds of measured load per scenario (default 15)</li>
 * <li>{@code load.warmup}: seconds of unmeasured warm-up before it, ramping from 5% of the rate (default 5)</li>
 * <li>{@code load.service-cpu}: pin the service to this CPU, everything else to the others (default none)</li>
 * <li>{@code load.target}: the base URL of a deployed service to load instead of local processes
 *     (default none); its API key comes from the environment variable {@value #KEY_VARIABLE},
 *     never a property, so it shows in no process list</li>
 * </ul>
 *
 * @param scenarios  the scenarios to run, in the order of {@link Scenarios}
 * @param rate       overrides every scenario's default rate, requests/s
 * @param duration   measured phase per scenario
 * @param warmUp     unmeasured phase before it; zero for none
 * @param serviceCpu CPU for the service when pinning
 * @param target     a deployed service's base URL: then the load goes there, in the shape of the
 *                   {@code deployment} scenario, and nothing is started
 */
public record LoadSettings(List<Scenario> scenarios, OptionalDouble rate, Duration duration, Duration warmUp,
        OptionalInt serviceCpu, Optional<URI> target) {

    /** The environment variable with the API key for {@link #target()}. */
    public static final String KEY_VARIABLE = "NAMEGATE_LOAD_KEY";

    private static final Duration DEFAULT_DURATION = Duration.ofSeconds(15);
    private static final Duration DEFAULT_WARM_UP = Duration.ofSeconds(5);

    public LoadSettings {
        scenarios = List.copyOf(scenarios);
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("load.scenario: at least one scenario");
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("load.duration must be > 0");
        }
        if (warmUp.isNegative()) {
            throw new IllegalArgumentException("load.warmup must be >= 0");
        }
    }

    public static LoadSettings fromSystemProperties() {
        return from(System::getProperty);
    }

    /** @throws IllegalArgumentException naming the property and its bad value */
    public static LoadSettings from(Function<String, String> properties) {
        return new LoadSettings(
                parse(properties, "load.scenario", Scenarios.all(), LoadSettings::scenarios),
                parse(properties, "load.rate", OptionalDouble.empty(), text -> OptionalDouble.of(positive(text))),
                parse(properties, "load.duration", DEFAULT_DURATION, LoadSettings::seconds),
                parse(properties, "load.warmup", DEFAULT_WARM_UP, LoadSettings::seconds),
                parse(properties, "load.service-cpu", OptionalInt.empty(), text -> OptionalInt.of(Integer.parseInt(text))),
                parse(properties, "load.target", Optional.empty(), text -> Optional.of(baseUrl(text))));
    }

    public static LoadSettings from(Map<String, String> properties) {
        return from(properties::get);
    }

    /** What runs: the {@code deployment} scenario against {@link #target()}, or the selected scenarios. */
    public List<Scenario> runs() {
        return target.isPresent() ? List.of(ScenarioSimulation.DEPLOYMENT) : scenarios;
    }

    /** The requests/s offered to {@code scenario}. */
    public double rateOf(Scenario scenario) {
        return rate.orElse(scenario.defaultRate());
    }

    private static <T> T parse(Function<String, String> properties, String name, T absent, Function<String, T> parser) {
        String value = properties.apply(name);
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            return parser.apply(value.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + "=" + value + ": " + e.getMessage(), e);
        }
    }

    private static List<Scenario> scenarios(String text) {
        if ("all".equals(text)) {
            return Scenarios.all();
        }
        List<String> names = Arrays.stream(text.split(",")).map(String::trim).filter(name -> !name.isEmpty()).toList();
        names.forEach(Scenarios::named); // fails on an unknown name, listing the known ones
        // Scenarios' order, so a list runs like `all` does
        return Scenarios.all().stream().filter(scenario -> names.contains(scenario.name())).toList();
    }

    private static URI baseUrl(String text) {
        URI uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getRawQuery() != null) {
            throw new IllegalArgumentException("must be an http(s) base URL, e.g. https://names.example.org");
        }
        return uri;
    }

    private static double positive(String text) {
        double value = Double.parseDouble(text);
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("must be a positive number");
        }
        return value;
    }

    /** Seconds, possibly fractional: {@code 15}, {@code 2.5}. */
    private static Duration seconds(String text) {
        double value = Double.parseDouble(text);
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("must be a number of seconds >= 0");
        }
        return Duration.ofMillis(Math.round(value * 1000));
    }
}
