package dev.namegate.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.namegate.simulator.SimulatedUsers;

/**
 * Measures the service's start: for each way of launching it (plain jar, extracted jar, Spring
 * Boot's CDS support on Java 17, and Java 25's AOT cache when that JDK is present), launches it
 * against a simulator process several times and records, from the moment of the launch, when
 * {@code GET /users/1} first answers 200 with the right name, when {@code /readyz} turns 200 (the
 * warm-up is done), and the resident set at both moments. Prints a markdown table (median and
 * range of the runs) and writes it to {@code target/bench/startup.md}.
 *
 * <p>Run with {@code make startup} (it builds first), or after a build:
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     dev.namegate.bench.StartupBench --runs=5
 * </pre>
 *
 * <p>Options:
 * <ul>
 * <li>{@code --runs=5} measured launches per variant; one more, unmeasured, launch comes first so
 *     the page cache holds the jars for every variant alike</li>
 * <li>{@code --variants=jar,extracted,cds,cds-warm,extracted-25,aot-25,aot-25-warm} (default: all;
 *     the {@code -25} ones only when a Java 25 JDK is there). The {@code -warm} ones train through
 *     the warm-up instead of stopping when the context has started</li>
 * <li>{@code --jdk25=/usr/lib/jvm/temurin-25-jdk-amd64} the Java 25 JDK (default: that path if it
 *     exists); {@code --jdk25=none} skips its variants</li>
 * <li>{@code --jvm-args="-XX:+UseSerialGC -Xmx307m"} JVM options for every launch, training runs
 *     included; the word {@code deployment} stands for the Deployment's ({@link DeploymentJvm})</li>
 * <li>{@code --service-args="--namegate.warmup.rate=100"} service arguments for every launch, likewise</li>
 * <li>{@code --poll=10ms}, {@code --jar=target/namegate.jar}, {@code --out=target/bench}</li>
 * </ul>
 *
 * <p>Variants, as the Spring Boot docs (packaging, "Class Data Sharing" and "AOT Cache") describe
 * them: {@code java -Djarmode=tools -jar namegate.jar extract}, then a training run that starts
 * the context and exits ({@code -Dspring.context.exit=onRefresh}) writing the archive
 * ({@code -XX:ArchiveClassesAtExit}) or cache ({@code -XX:AOTCacheOutput}), then launches that
 * use it ({@code -XX:SharedArchiveFile}, {@code -XX:AOTCache}). The measured launches insist on it
 * ({@code -Xshare:on}, {@code -XX:AOTMode=on}), so an archive the JVM cannot use fails the run
 * instead of being silently ignored. Rounds are interleaved (one launch of each variant per
 * round) so a change in the machine's load spreads over every variant.
 *
 * <p>Exit status 0 when every launch succeeded, 1 otherwise, 2 on bad options.
 */
public final class StartupBench {

    private static final String CLIENT_ID = "startup-bench";
    private static final long USER_ID = 1;
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Pattern JAVA_VERSION = Pattern.compile("version \"([^\"]+)\"");

    /**
     * One way of launching the service.
     *
     * @param how      what is launched, for the table
     * @param launcher the {@code java} executable
     * @param jdk      its version
     * @param jvmArgs  every JVM option of a measured launch
     */
    record Variant(String name, String how, String launcher, String jdk, Path jar, List<String> jvmArgs) {
    }

    private final StartupOptions options;
    private final Path work;
    private final ResponseCheck rightName = ResponseChecks.publicApi(USER_ID, SimulatedUsers::nameOf);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private final List<String> trainingNotes = new ArrayList<>();

    private StartupBench(StartupOptions options) {
        this.options = options;
        this.work = options.outputDir().resolve("startup").toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        StartupOptions options;
        try {
            options = StartupOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bad option " + e.getMessage());
            System.exit(2);
            return;
        }
        // As it would be typed again: an argument with spaces in single quotes.
        String commandLine = Arrays.stream(args).map(arg -> arg.matches(".*\\s.*") ? "'" + arg + "'" : arg)
                .collect(Collectors.joining(" "));
        System.exit(new StartupBench(options).run(commandLine));
    }

    private int run(String commandLine) throws Exception {
        if (!Files.isRegularFile(options.jar())) {
            throw new IOException(options.jar() + " is missing: build it with ./mvnw -q -B -DskipTests package");
        }
        Files.createDirectories(work);
        String loadBefore = loadAverage();
        Path secrets = Files.createTempDirectory("namegate-startup");
        Map<Variant, List<StartupSample>> samples = new LinkedHashMap<>();
        int status = 0;
        try {
            ApiKeys.Minted key = ApiKeys.mint(CLIENT_ID);
            Path keysFile = ApiKeys.writeKeysFile(secrets, key, "");
            try (SimulatorProcess simulator = SimulatorProcess.start(List.of(), options.jar(), List.of(),
                    work.resolve("simulator.log"))) {
                Launches launches = new Launches(simulator.baseUrls(), keysFile, key.key());
                for (Variant variant : prepare(launches)) {
                    samples.put(variant, new ArrayList<>());
                }
                // Unmeasured: the first launch after a build pays for reading the jars from disk.
                Variant first = samples.keySet().iterator().next();
                launches.measure(first, work.resolve(first.name() + "-unmeasured.log"));
                for (int round = 1; round <= options.runs(); round++) {
                    for (Map.Entry<Variant, List<StartupSample>> entry : samples.entrySet()) {
                        Variant variant = entry.getKey();
                        try {
                            StartupSample sample = launches.measure(variant, work.resolve(variant.name() + "-" + round + ".log"));
                            entry.getValue().add(sample);
                            System.err.printf(Locale.ROOT, "%s run %d: first answer %.0f ms, ready %.0f ms, RSS %.0f / %.0f MiB%n",
                                    variant.name(), round, sample.firstAnswerMillis(), sample.readyMillis(),
                                    sample.rssAtFirstAnswerMiB(), sample.rssAtReadyMiB());
                        } catch (IOException e) {
                            status = 1;
                            System.err.println(variant.name() + " run " + round + " failed: " + e.getMessage());
                        }
                    }
                }
            }
        } finally {
            try (Stream<Path> files = Files.list(secrets)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(secrets);
        }
        List<StartupReport.Row> rows = samples.entrySet().stream()
                .map(e -> new StartupReport.Row(e.getKey().name(), e.getKey().how(), e.getKey().jdk(), e.getValue()))
                .toList();
        List<String> paragraphs = new ArrayList<>();
        paragraphs.add(String.format(Locale.ROOT, "Each cell: median (min–max) of %d launches per variant, rounds "
                + "interleaved, after one unmeasured launch; times from process launch, polling every %d ms. "
                + "%d CPUs, %s %s; load average before: %s, after: %s. %s. Command: `make startup%s`.",
                options.runs(), options.pollInterval().toMillis(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.version"), loadBefore, loadAverage(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS),
                commandLine.isBlank() ? "" : " STARTUP_ARGS=\"" + commandLine + "\""));
        if (!options.jvmArgs().isEmpty()) {
            paragraphs.add("JVM options for every launch: `" + String.join(" ", options.jvmArgs()) + "`.");
        }
        if (!options.serviceArgs().isEmpty()) {
            paragraphs.add("Service arguments for every launch: `" + String.join(" ", options.serviceArgs()) + "`.");
        }
        // A blank line between paragraphs, and before the list of training runs.
        List<String> text = new ArrayList<>();
        for (String paragraph : paragraphs) {
            text.add(paragraph);
            text.add("");
        }
        text.addAll(trainingNotes);
        String table = StartupReport.markdown(rows, text);
        System.out.print(table);
        Path report = options.outputDir().resolve("startup.md");
        Files.writeString(report, table, StandardCharsets.UTF_8);
        System.err.println("wrote " + report);
        return status;
    }

    /** Builds each requested variant: extraction and training runs happen here, once, before any measurement. */
    private List<Variant> prepare(Launches launches) throws IOException, InterruptedException {
        String java17 = Java.launcher();
        String jdk17 = javaVersion(java17);
        Path app = work.resolve("app");
        Path appJar = app.resolve(options.jar().getFileName());
        if (options.variants().stream().anyMatch(v -> !"jar".equals(v))) {
            extract(java17, app);
        }
        List<String> jvmArgs = options.jvmArgs();
        List<Variant> variants = new ArrayList<>();
        for (String name : options.variants()) {
            variants.add(switch (name) {
                case "jar" -> new Variant(name, "`java -jar " + options.jar().getFileName() + "`", java17, jdk17,
                        options.jar().toAbsolutePath(), jvmArgs);
                case "extracted" -> new Variant(name, "extracted jar", java17, jdk17, appJar, jvmArgs);
                case "cds", "cds-warm" -> {
                    boolean warm = name.endsWith("-warm");
                    Path archive = app.resolve(warm ? "app-warm.jsa" : "app.jsa");
                    launches.train(name, java17, appJar, archive, "-XX:ArchiveClassesAtExit=" + archive, warm);
                    yield new Variant(name, "extracted jar + CDS archive" + (warm ? " (trained through the warm-up)" : ""),
                            java17, jdk17, appJar, with(jvmArgs, "-XX:SharedArchiveFile=" + archive, "-Xshare:on"));
                }
                case "extracted-25" -> {
                    String java25 = Java.launcher(options.jdk25().orElseThrow());
                    yield new Variant(name, "extracted jar", java25, javaVersion(java25), appJar, jvmArgs);
                }
                case "aot-25", "aot-25-warm" -> {
                    boolean warm = name.endsWith("-warm");
                    String java25 = Java.launcher(options.jdk25().orElseThrow());
                    Path cache = app.resolve(warm ? "app-warm.aot" : "app.aot");
                    launches.train(name, java25, appJar, cache, "-XX:AOTCacheOutput=" + cache, warm);
                    yield new Variant(name, "extracted jar + AOT cache" + (warm ? " (trained through the warm-up)" : ""),
                            java25, javaVersion(java25), appJar, with(jvmArgs, "-XX:AOTCache=" + cache, "-XX:AOTMode=on"));
                }
                default -> throw new IllegalArgumentException("unknown variant " + name);
            });
        }
        return variants;
    }

    /** {@code java -Djarmode=tools -jar namegate.jar extract}: the CDS-friendly layout (application jar + lib/). */
    private void extract(String java, Path destination) throws IOException, InterruptedException {
        ManagedProcess extract = ManagedProcess.start("extract", List.of(java, "-Djarmode=tools", "-jar",
                options.jar().toString(), "extract", "--destination", destination.toString(), "--force"),
                Map.of(), work.resolve("extract.log"), null);
        try (extract) {
            int exit = extract.awaitExit(TRAINING_TIMEOUT);
            if (exit != 0) {
                throw new IOException("extracting " + options.jar() + " failed (exit " + exit + "); see " + work.resolve("extract.log"));
            }
        }
    }

    private static List<String> with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return List.copyOf(all);
    }

    /** Launches against one simulator and keys file. */
    private final class Launches {
        private final List<String> internalBaseUrls;
        private final Path keysFile;
        private final String key;

        Launches(List<String> internalBaseUrls, Path keysFile, String key) {
            this.internalBaseUrls = List.copyOf(internalBaseUrls);
            this.keysFile = keysFile;
            this.key = key;
        }

        /**
         * A training run; the JVM writes {@code output} as it exits. Spring Boot's recipe stops once
         * the context has started ({@code -Dspring.context.exit=onRefresh}): no request has run yet.
         * {@code throughWarmup} instead lets the service start its servers and do its warm-up
         * (lookups and requests through the whole public path) and then exit
         * ({@code namegate.warmup.exit-when-done}, as {@code make cds} does), so the archive also
         * holds what the first requests load.
         */
        void train(String variant, String java, Path appJar, Path output, String outputFlag, boolean throughWarmup)
                throws IOException, InterruptedException {
            Files.deleteIfExists(output);
            Path log = work.resolve(variant + "-training.log");
            List<String> jvmArgs = throughWarmup ? with(options.jvmArgs(), outputFlag)
                    : with(options.jvmArgs(), outputFlag, "-Dspring.context.exit=onRefresh");
            List<String> serviceArgs = throughWarmup ? with(options.serviceArgs(), "--namegate.warmup.exit-when-done=true")
                    : options.serviceArgs();
            long start = System.nanoTime();
            try (ServiceProcess training = ServiceProcess.launch(java, List.of(), appJar, internalBaseUrls, keysFile,
                    log, serviceArgs, jvmArgs)) {
                int exit = training.awaitExit(TRAINING_TIMEOUT);
                if (exit != 0 || !Files.isRegularFile(output)) {
                    throw new IOException(variant + " training run failed (exit " + exit + "); see " + log);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            trainingNotes.add(String.format(Locale.ROOT, "- `%s`: training run %.1f s, %s %.0f MiB (a one-off cost per build).",
                    variant, seconds, output.getFileName(), Files.size(output) / (1024.0 * 1024.0)));
        }

        private HttpRequest readyz(ServiceProcess service) {
            return HttpRequest.newBuilder(URI.create(service.baseUrl() + "/readyz")).timeout(REQUEST_TIMEOUT).GET().build();
        }

        StartupSample measure(Variant variant, Path log) throws IOException, InterruptedException {
            // Before the JVM is warm, a lookup can miss its 90 ms deadline: those answers are counted, not hidden.
            Map<Integer, Integer> wrongBefore = new TreeMap<>();
            long start = System.nanoTime();
            double first;
            double cpuAtFirst;
            double rssAtFirst;
            double ready;
            double rssAtReady;
            try (ServiceProcess service = ServiceProcess.launch(variant.launcher(), List.of(), variant.jar(),
                    internalBaseUrls, keysFile, log, options.serviceArgs(), variant.jvmArgs())) {
                HttpRequest user = HttpRequest.newBuilder(URI.create(service.baseUrl() + "/users/" + USER_ID))
                        .timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + key)
                        .header("Accept", "application/json").GET().build();
                first = pollUntil(service, user, start, this::isRightName, wrongBefore);
                ProcStats atFirst = ProcStats.of(service.pid());
                cpuAtFirst = atFirst.cpuSeconds() * 1000;
                rssAtFirst = atFirst.rssMiB();
                ready = pollUntil(service, readyz(service), start, response -> response.statusCode() == 200, new TreeMap<>());
                rssAtReady = ProcStats.of(service.pid()).rssMiB();
            }
            double started;
            try (Stream<String> lines = Files.lines(log)) {
                started = lines.map(StartupSample::startedMillis).filter(m -> m.isPresent())
                        .mapToDouble(m -> m.getAsDouble()).findFirst().orElse(Double.NaN);
            }
            if (!wrongBefore.isEmpty()) {
                System.err.println(variant.name() + ": answers before the first right one, by status: " + wrongBefore);
            }
            return new StartupSample(first, ready, cpuAtFirst, rssAtFirst, rssAtReady, started);
        }

        private boolean isRightName(HttpResponse<byte[]> response) {
            return rightName.check(USER_ID, response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(null), response.body()) == Outcome.CORRECT;
        }

        /**
         * Milliseconds from {@code startNanos} to the first answer {@code done} accepts; the statuses
         * of the answers before it are counted into {@code earlier}.
         */
        private double pollUntil(ServiceProcess service, HttpRequest request, long startNanos,
                Predicate<HttpResponse<byte[]>> done, Map<Integer, Integer> earlier) throws IOException, InterruptedException {
            long deadline = startNanos + LAUNCH_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!service.isAlive()) {
                    throw new IOException("service exited during start; see its log");
                }
                try {
                    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    long now = System.nanoTime();
                    if (done.test(response)) {
                        return (now - startNanos) / 1e6;
                    }
                    earlier.merge(response.statusCode(), 1, Integer::sum);
                } catch (IOException notYet) {
                    // not listening yet, or reset while it binds
                }
                Thread.sleep(options.pollInterval().toMillis());
            }
            throw new IOException(request.uri().getPath() + " not as expected within " + LAUNCH_TIMEOUT);
        }
    }

    /** {@code 17.0.15} from {@code java -version}; "?" when it cannot be read. */
    static String javaVersion(String launcher) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(launcher, "-version").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            Matcher matcher = JAVA_VERSION.matcher(out);
            return matcher.find() ? matcher.group(1) : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    /** The 1, 5 and 15 minute load averages: a busy machine explains a slow start. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return String.join(" ", fields[0], fields[1], fields[2]);
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
