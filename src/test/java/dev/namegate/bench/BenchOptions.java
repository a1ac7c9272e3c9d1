package dev.namegate.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * Command-line options of {@link BenchMain}; see its Javadoc for the list.
 *
 * @param scenarios      scenarios to run, in order (a name may repeat)
 * @param rate           overrides every scenario's default rate (requests/s) when present
 * @param duration       measured phase per scenario
 * @param warmup         unmeasured ramp before the first scenario (sequence) or each (other modes); 0 to skip
 * @param warmupRate     sequence mode: the warm-up's rate, on the healthy simulator before the first switch, so
 *                       the service's JIT has compiled the path before anything is measured (default 500/s)
 * @param settle         sequence mode: unmeasured load after each switch, before the measured phase
 * @param timeout        client-side timeout per request
 * @param mode           what runs and how often it starts
 * @param serviceCpu     pin the service to this CPU and everything else to the other CPUs
 * @param jar            the namegate jar (service and simulator)
 * @param outputDir      logs and results.md
 * @param connections    client connection pool size
 * @param keyAttributes  attributes appended to the key's line in the keys file (client limits)
 * @param serviceArgs    extra service arguments, e.g. {@code --namegate.cache.enabled=false}
 * @param serviceJvmArgs JVM options for namegate and NaiveProxy (default {@link #SERVICE_JVM_ARGS}); the word
 *                       {@code deployment} among them stands for the Deployment's ({@link DeploymentJvm})
 * @param sweep          rates of a throughput sweep (fresh, direct or naive), empty for none
 * @param ids            how known ids are picked ({@code --ids=uniform|zipf:N:s})
 * @param steps          closed-loop mode: wrk's connections, one measured step each, in this order
 *                       (default 4, 8, 16, 32, 64, 256)
 * @param targets        closed-loop mode: what is loaded, in {@link ClosedLoopTarget}'s order (default all)
 * @param serviceCpuQuota fresh mode: after its warm-up, the service may use this percentage of one CPU
 *                       ({@link CpuQuota}), so that an open loop can offer it twice what it sustains
 * @param interleave     closed-loop mode: namegate's misses and NaiveProxy run side by side, each
 *                       step measured on one right after the other ({@code --interleave})
 * @param rounds         closed-loop mode: how often the steps are measured in turn on each running
 *                       target (default 1), every other round backwards; with several, the report gives
 *                       each number of connections' mean, and its share of the best mean ({@link ClosedLoopMean})
 * @param openConnections open-loop modes: connections the generator opens before the warm-up, at most
 *                       {@code connections} (default: all of them in a sweep, as wrk opens its own; 0,
 *                       only as needed, otherwise). An overload's slow answers make a pool opened as
 *                       needed open thousands more on the load's core, whose saturation then delays
 *                       the requests before they reach the service: the generator's limit, not the
 *                       service's
 */
public record BenchOptions(List<Scenario> scenarios, OptionalDouble rate, Duration duration, Duration warmup,
        double warmupRate, Duration settle, Duration timeout, Mode mode, OptionalInt serviceCpu, Path jar, Path outputDir, int connections,
        String keyAttributes, List<String> serviceArgs, List<String> serviceJvmArgs, List<Double> sweep, KnownIds ids,
        List<Integer> steps, List<ClosedLoopTarget> targets, OptionalInt serviceCpuQuota, boolean interleave, int rounds,
        int openConnections) {

    /**
     * The Deployment's heap settings, for namegate and NaiveProxy in every mode: a fixed heap (room
     * for the quota's and the cache's worst case, no resizing within a run), its tenuring, huge
     * pages and first metaspace threshold (no full collection for the JIT's profiles mid-run).
     * Without them the first overload of an open-loop sweep collapsed for 2-3 s. The collector is
     * the JVM's pick on one CPU (serial), not the Deployment's G1: issue 13's per-core figures
     * are the serial collector's (docs/benchmarks.md, "Modes").
     */
    public static final List<String> SERVICE_JVM_ARGS = List.of("-Xms1g", "-Xmx1g", "-XX:MaxTenuringThreshold=1",
            "-XX:+UseTransparentHugePages", Java.METASPACE_THRESHOLD);

    private static final long WARMUP_SEED = 7L;
    private static final long MEASURED_SEED = 42L;

    /** Closed-loop mode's defaults: 10 s per step, after a warm-up long enough for the JIT on one core. */
    public static final List<Integer> DEFAULT_STEPS = List.of(4, 8, 16, 32, 64, 256);
    public static final Duration CLOSED_LOOP_DURATION = Duration.ofSeconds(10);
    public static final Duration CLOSED_LOOP_WARMUP = Duration.ofSeconds(120);
    /** The CPU closed-loop mode gives the system under test when {@code --service-cpu} is not given. */
    public static final int CLOSED_LOOP_SERVICE_CPU = 0;

    /** High enough that per-client throttling never shapes a benchmark result. */
    public static final String UNLIMITED_KEY = "rate=1000000 burst=1000000 ids-per-day=1000000";

    /** What a run starts and loads; the name is the table's mode column. */
    public enum Mode {
        /** One simulator and one service for the whole run; the simulator's failure mode switched at runtime. */
        SEQUENCE("sequence"),
        /** A new simulator and service per scenario. */
        FRESH("fresh"),
        /** The simulator alone, loaded directly ({@code POST /{id}}): the floor under the service. */
        DIRECT("direct"),
        /** The plain WebFlux + WebClient proxy ({@link NaiveProxy}) in front of the simulator. */
        NAIVE("naive"),
        /** A {@code wrk} sweep over connections of namegate, NaiveProxy, HAProxy and the simulator ({@link ClosedLoopSweep}). */
        CLOSED_LOOP("closed-loop");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public BenchOptions {
        scenarios = List.copyOf(scenarios);
        serviceArgs = List.copyOf(serviceArgs);
        serviceJvmArgs = List.copyOf(serviceJvmArgs);
        sweep = List.copyOf(sweep);
        steps = List.copyOf(steps);
        targets = List.copyOf(targets);
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(outputDir, "outputDir");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(ids, "ids");
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("--scenarios: at least one scenario");
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("--duration must be > 0");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must be >= 0");
        }
        if (!(warmupRate > 0)) {
            throw new IllegalArgumentException("--warmup-rate must be > 0");
        }
        if (settle.isNegative()) {
            throw new IllegalArgumentException("--settle must be >= 0");
        }
        if (connections < 1) {
            throw new IllegalArgumentException("--connections must be >= 1");
        }
        if (openConnections < 0 || openConnections > connections) {
            throw new IllegalArgumentException("--open-connections must be 0 to --connections (" + connections + ")");
        }
        if (openConnections > 0 && mode == Mode.CLOSED_LOOP) {
            throw new IllegalArgumentException("--open-connections is for the open loop: wrk opens its own");
        }
        if (mode == Mode.SEQUENCE && !sweep.isEmpty()) {
            throw new IllegalArgumentException("--sweep runs each scenario on its own processes: not in sequence mode");
        }
        if (mode == Mode.CLOSED_LOOP) {
            closedLoopRules(duration, warmup, sweep, steps, targets);
        }
        if (rounds < 1 || rounds > 1 && mode != Mode.CLOSED_LOOP) {
            throw new IllegalArgumentException("--rounds: at least 1, and more only with --closed-loop");
        }
        if (interleave && (mode != Mode.CLOSED_LOOP || !targets.contains(ClosedLoopTarget.MISSES)
                || !targets.contains(ClosedLoopTarget.NAIVE))) {
            throw new IllegalArgumentException("--interleave alternates the steps of namegate's misses and NaiveProxy:"
                    + " only with --closed-loop and both targets");
        }
        if (serviceCpuQuota.isPresent()) {
            int percent = serviceCpuQuota.getAsInt();
            if (percent < 1 || percent > 100) {
                throw new IllegalArgumentException("--service-cpu-quota is a percentage of one CPU: 1 to 100");
            }
            if (mode != Mode.FRESH) {
                throw new IllegalArgumentException("--service-cpu-quota caps the service of a fresh run or a sweep"
                        + " after its warm-up, not a " + mode.label() + " run");
            }
        }
    }

    /** wrk takes whole seconds and at least one connection per thread (it runs one). */
    private static void closedLoopRules(Duration duration, Duration warmup, List<Double> sweep, List<Integer> steps,
            List<ClosedLoopTarget> targets) {
        if (!sweep.isEmpty()) {
            throw new IllegalArgumentException("--sweep offers rates (open loop): not with --closed-loop (use --steps)");
        }
        if (duration.toMillis() % 1000 != 0 || warmup.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("--duration and --warmup: whole seconds with --closed-loop (wrk's unit)");
        }
        if (steps.isEmpty() || steps.stream().anyMatch(connections -> connections < 1)) {
            throw new IllegalArgumentException("--steps: at least one step, each at least 1 connection");
        }
        if (steps.stream().distinct().count() != steps.size()) {
            throw new IllegalArgumentException("--steps: each number of connections once");
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("--targets: at least one target");
        }
    }

    /** Closed-loop mode: the measured steps of every round. */
    public int stepCount() {
        return steps.size() * rounds;
    }

    /**
     * Closed-loop mode: the connections of the {@code index}-th measured step. Every other round
     * takes the steps backwards, so that a target still warming up or a host speeding up favours
     * no number of connections over the rounds.
     */
    public int stepConnections(int index) {
        int position = index % steps.size();
        return steps.get(stepRound(index) % 2 == 1 ? position : steps.size() - 1 - position);
    }

    /** Closed-loop mode: the round, from 1, of the {@code index}-th measured step. */
    public int stepRound(int index) {
        return index / steps.size() + 1;
    }

    /** Closed-loop mode: the warm-up's connections, the highest step's, so every later step meets a warm target. */
    public int warmupConnections() {
        return steps.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    public double rateOf(Scenario scenario) {
        return rate.orElse(scenario.defaultRate());
    }

    /**
     * The warm-up of a scenario run on its own processes (fresh, direct, naive): a ramp to the
     * first measured rate, with a seed no measured phase uses, so no phase replays its ids.
     */
    public LoadPlan warmupPlan(Scenario scenario) {
        return new LoadPlan(measuredRates(scenario).get(0), warmup, LoadPlan.DEFAULT_SLO, WARMUP_SEED)
                .rampingFrom(SequenceRun.WARMUP_START_FRACTION);
    }

    /**
     * The measured phases of a scenario run on its own processes: one per rate of the sweep (or
     * one at its rate), each with its own seed, so a later rate does not ask for the ids an
     * earlier one left in the service's name cache.
     */
    public List<LoadPlan> measuredPlans(Scenario scenario) {
        List<Double> rates = measuredRates(scenario);
        return IntStream.range(0, rates.size())
                .mapToObj(i -> new LoadPlan(rates.get(i), duration, LoadPlan.DEFAULT_SLO, MEASURED_SEED + i))
                .toList();
    }

    private List<Double> measuredRates(Scenario scenario) {
        return sweep.isEmpty() ? List.of(rateOf(scenario)) : sweep;
    }

    public boolean direct() {
        return mode == Mode.DIRECT;
    }

    public boolean naive() {
        return mode == Mode.NAIVE;
    }

    /** @throws IllegalArgumentException naming the bad option */
    public static BenchOptions parse(String... args) {
        List<Scenario> scenarios = null;
        OptionalDouble rate = OptionalDouble.empty();
        Duration duration = null;
        Duration warmup = null;
        double warmupRate = 1000;
        Duration settle = Duration.ofSeconds(5);
        Duration timeout = LoadPlan.DEFAULT_TIMEOUT;
        Mode mode = null;
        OptionalInt serviceCpu = OptionalInt.empty();
        Path jar = Path.of("target/namegate.jar");
        Path outputDir = Path.of("target/bench");
        int connections = OpenLoopLoad.DEFAULT_CONNECTIONS;
        Integer openConnections = null;
        String keyAttributes = UNLIMITED_KEY;
        List<String> serviceArgs = List.of();
        List<String> serviceJvmArgs = SERVICE_JVM_ARGS;
        List<Double> sweep = List.of();
        KnownIds ids = KnownIds.UNIFORM;
        List<Integer> steps = null;
        List<ClosedLoopTarget> targets = null;
        OptionalInt serviceCpuQuota = OptionalInt.empty();
        boolean interleave = false;
        int rounds = 1;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? "" : arg.substring(eq + 1);
            try {
                switch (name) {
                    case "--scenarios" -> scenarios = "all".equals(value) ? null
                            : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                                    .map(Scenarios::named).toList();
                    case "--rate" -> rate = OptionalDouble.of(positive(Double.parseDouble(value)));
                    case "--duration" -> duration = duration(value);
                    case "--warmup" -> warmup = duration(value);
                    case "--warmup-rate" -> warmupRate = positive(Double.parseDouble(value));
                    case "--settle" -> settle = duration(value);
                    case "--timeout" -> timeout = duration(value);
                    case "--fresh" -> mode = flag(eq, value) ? only(mode, Mode.FRESH) : mode;
                    case "--direct" -> mode = flag(eq, value) ? only(mode, Mode.DIRECT) : mode;
                    case "--naive" -> mode = flag(eq, value) ? only(mode, Mode.NAIVE) : mode;
                    case "--closed-loop" -> mode = flag(eq, value) ? only(mode, Mode.CLOSED_LOOP) : mode;
                    case "--steps" -> steps = Arrays.stream(value.split(",")).map(String::trim)
                            .filter(n -> !n.isEmpty()).map(Integer::parseInt).toList();
                    case "--targets" -> targets = ClosedLoopTarget.parse(value);
                    case "--interleave" -> interleave = flag(eq, value);
                    case "--rounds" -> rounds = Integer.parseInt(value);
                    case "--service-cpu" -> serviceCpu = OptionalInt.of(Integer.parseInt(value));
                    case "--service-cpu-quota" -> serviceCpuQuota = OptionalInt.of(Integer.parseInt(value));
                    case "--jar" -> jar = Path.of(value);
                    case "--out" -> outputDir = Path.of(value);
                    case "--connections" -> connections = Integer.parseInt(value);
                    case "--open-connections" -> openConnections = Integer.parseInt(value);
                    case "--key-attributes" -> keyAttributes = value;
                    case "--service-args" -> serviceArgs = words(value);
                    case "--service-jvm-args" -> serviceJvmArgs = DeploymentJvm.expand(words(value));
                    case "--sweep" -> sweep = Arrays.stream(value.split(",")).map(String::trim)
                            .filter(r -> !r.isEmpty()).map(r -> positive(Double.parseDouble(r))).toList();
                    case "--ids" -> ids = KnownIds.parse(value);
                    default -> throw new IllegalArgumentException("unknown option");
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(arg + ": " + e.getMessage(), e);
            }
        }
        if (mode == null) {
            // a sweep measures one scenario at several rates on its own processes
            mode = sweep.isEmpty() ? Mode.SEQUENCE : Mode.FRESH;
        }
        boolean closedLoop = mode == Mode.CLOSED_LOOP;
        if (!closedLoop && (steps != null || targets != null)) {
            throw new IllegalArgumentException("--steps and --targets belong to --closed-loop");
        }
        if (duration == null) {
            duration = closedLoop ? CLOSED_LOOP_DURATION : Duration.ofSeconds(15);
        }
        if (warmup == null) {
            warmup = closedLoop ? CLOSED_LOOP_WARMUP : Duration.ofSeconds(60);
        }
        if (closedLoop && serviceCpu.isEmpty()) {
            serviceCpu = OptionalInt.of(CLOSED_LOOP_SERVICE_CPU);
        }
        if (scenarios == null) {
            scenarios = mode == Mode.SEQUENCE ? Scenarios.sequence() : Scenarios.all();
        }
        if (openConnections == null) {
            openConnections = sweep.isEmpty() || closedLoop ? 0 : connections;
        }
        return new BenchOptions(scenarios, rate, duration, warmup, warmupRate, settle, timeout, mode, serviceCpu, jar, outputDir,
                connections, keyAttributes, serviceArgs, serviceJvmArgs, sweep, ids,
                steps != null ? steps : closedLoop ? DEFAULT_STEPS : List.of(),
                targets != null ? targets : closedLoop ? List.of(ClosedLoopTarget.values()) : List.of(), serviceCpuQuota,
                interleave, rounds, openConnections);
    }

    private static boolean flag(int eq, String value) {
        return eq < 0 || Boolean.parseBoolean(value);
    }

    private static Mode only(Mode current, Mode next) {
        if (current != null && current != next) {
            throw new IllegalArgumentException("one mode at a time: --fresh, --direct, --naive or --closed-loop (the"
                    + " default is a sequence), not --" + current.label() + " too");
        }
        return next;
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
