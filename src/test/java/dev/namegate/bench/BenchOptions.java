package dev.namegate.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Command-line options of {@link BenchMain}; see its Javadoc for the list.
 *
 * @param scenarios      scenarios to run, in order
 * @param rate           overrides every scenario's default rate (requests/s) when present
 * @param duration       measured phase per scenario
 * @param warmup         unmeasured phase before it (0 to skip)
 * @param timeout        client-side timeout per request
 * @param direct         load the simulator directly (internal contract) instead of the service
 * @param naive          load {@link NaiveProxy} (plain WebFlux + WebClient) instead of the service
 * @param serviceCpu     pin the service to this CPU and everything else to the other CPUs
 * @param jar            the namegate jar (service and simulator)
 * @param outputDir      logs and results.md
 * @param connections    client connection pool size
 * @param keyAttributes  attributes appended to the key's line in the keys file (client limits)
 * @param serviceArgs    extra service arguments for every scenario, e.g. {@code --namegate.cache.enabled=true}
 */
public record BenchOptions(List<Scenario> scenarios, OptionalDouble rate, Duration duration, Duration warmup,
        Duration timeout, boolean direct, boolean naive, OptionalInt serviceCpu, Path jar, Path outputDir, int connections,
        String keyAttributes, List<String> serviceArgs, List<String> serviceJvmArgs, List<Double> sweep) {

    /** High enough that per-client throttling never shapes a benchmark result. */
    public static final String UNLIMITED_KEY = "rate=1000000 burst=1000000 ids-per-day=1000000";

    public BenchOptions {
        scenarios = List.copyOf(scenarios);
        serviceArgs = List.copyOf(serviceArgs);
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(outputDir, "outputDir");
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("--scenarios: at least one scenario");
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("--duration must be > 0");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must be >= 0");
        }
        if (direct && naive) {
            throw new IllegalArgumentException("--direct and --naive: one baseline at a time");
        }
        if (connections < 1) {
            throw new IllegalArgumentException("--connections must be >= 1");
        }
    }

    public double rateOf(Scenario scenario) {
        return rate.orElse(scenario.defaultRate());
    }

    /** @throws IllegalArgumentException naming the bad option */
    public static BenchOptions parse(String... args) {
        List<Scenario> scenarios = Scenarios.all();
        OptionalDouble rate = OptionalDouble.empty();
        Duration duration = Duration.ofSeconds(15);
        Duration warmup = Duration.ofSeconds(3);
        Duration timeout = LoadPlan.DEFAULT_TIMEOUT;
        boolean direct = false;
        boolean naive = false;
        OptionalInt serviceCpu = OptionalInt.empty();
        Path jar = Path.of("target/namegate.jar");
        Path outputDir = Path.of("target/bench");
        int connections = 512;
        String keyAttributes = UNLIMITED_KEY;
        List<String> serviceArgs = List.of();
        List<String> serviceJvmArgs = List.of();
        List<Double> sweep = List.of();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? "" : arg.substring(eq + 1);
            try {
                switch (name) {
                    case "--scenarios" -> scenarios = "all".equals(value) ? Scenarios.all()
                            : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                                    .map(Scenarios::named).toList();
                    case "--rate" -> rate = OptionalDouble.of(positive(Double.parseDouble(value)));
                    case "--duration" -> duration = duration(value);
                    case "--warmup" -> warmup = duration(value);
                    case "--timeout" -> timeout = duration(value);
                    case "--direct" -> direct = eq < 0 || Boolean.parseBoolean(value);
                    case "--naive" -> naive = eq < 0 || Boolean.parseBoolean(value);
                    case "--service-cpu" -> serviceCpu = OptionalInt.of(Integer.parseInt(value));
                    case "--jar" -> jar = Path.of(value);
                    case "--out" -> outputDir = Path.of(value);
                    case "--connections" -> connections = Integer.parseInt(value);
                    case "--key-attributes" -> keyAttributes = value;
                    case "--service-args" -> serviceArgs = words(value);
                    case "--service-jvm-args" -> serviceJvmArgs = words(value);
                    case "--sweep" -> sweep = Arrays.stream(value.split(",")).map(String::trim)
                            .filter(r -> !r.isEmpty()).map(r -> positive(Double.parseDouble(r))).toList();
                    default -> throw new IllegalArgumentException("unknown option");
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(arg + ": " + e.getMessage(), e);
            }
        }
        return new BenchOptions(scenarios, rate, duration, warmup, timeout, direct, naive, serviceCpu, jar, outputDir,
                connections, keyAttributes, serviceArgs, serviceJvmArgs, sweep);
    }

    /** The whitespace-separated words of an option's value, e.g. {@code --service-args="--a=1 --b=2"}. */
    static List<String> words(String value) {
        return Arrays.stream(value.trim().split("\\s+")).filter(word -> !word.isEmpty()).toList();
    }

    private static double positive(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("must be a positive number");
        }
        return value;
    }

    /** {@code 15s}, {@code 500ms}, {@code 2m}, or an ISO-8601 duration such as {@code PT15S}. */
    static Duration duration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith("pt")) {
            return Duration.parse(value.toUpperCase(Locale.ROOT));
        }
        if (value.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 1000));
        }
        if (value.endsWith("m")) {
            return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)) * 60);
        }
        throw new IllegalArgumentException("not a duration (use e.g. 15s, 500ms, 2m)");
    }
}
