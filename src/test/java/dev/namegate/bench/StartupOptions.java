package dev.namegate.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Command-line options of {@link StartupBench}; see its Javadoc for the list.
 *
 * @param runs         measured launches per variant (the table shows median, min and max)
 * @param jar          the namegate jar
 * @param outputDir    startup.md, the extracted application, archives and one log per launch
 * @param jdk25        a Java 25+ JDK for the AOT-cache variants; empty to skip them
 * @param variants     variant names to run, in order (see {@link StartupBench.Variant})
 * @param jvmArgs      JVM options for every launch, training runs included
 * @param serviceArgs  service arguments for every launch, e.g. {@code --namegate.warmup.requests=0}
 * @param pollInterval pause between two polls of {@code /users/1} or {@code /readyz}
 */
public record StartupOptions(int runs, Path jar, Path outputDir, Optional<Path> jdk25, List<String> variants,
        List<String> jvmArgs, List<String> serviceArgs, Duration pollInterval) {

    /** Where the brief's machine has its second JDK; used when it exists and no --jdk25 is given. */
    static final Path DEFAULT_JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    static final List<String> JDK17_VARIANTS = List.of("jar", "extracted", "cds", "cds-warm");
    static final List<String> JDK25_VARIANTS = List.of("extracted-25", "aot-25", "aot-25-warm");

    public StartupOptions {
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(outputDir, "outputDir");
        Objects.requireNonNull(jdk25, "jdk25");
        variants = List.copyOf(variants);
        jvmArgs = List.copyOf(jvmArgs);
        serviceArgs = List.copyOf(serviceArgs);
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be >= 1");
        }
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("--variants: at least one variant");
        }
        for (String variant : variants) {
            if (!JDK17_VARIANTS.contains(variant) && !JDK25_VARIANTS.contains(variant)) {
                throw new IllegalArgumentException("--variants: unknown variant " + variant + " (known: "
                        + String.join(", ", JDK17_VARIANTS) + ", " + String.join(", ", JDK25_VARIANTS) + ")");
            }
            if (JDK25_VARIANTS.contains(variant) && jdk25.isEmpty()) {
                throw new IllegalArgumentException("--variants: " + variant + " needs --jdk25=<a Java 25 JDK>");
            }
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("--poll must be > 0");
        }
    }

    /** @throws IllegalArgumentException naming the bad option */
    public static StartupOptions parse(String... args) {
        return parse(Files.isExecutable(Path.of(Java.launcher(DEFAULT_JDK25))) ? Optional.of(DEFAULT_JDK25) : Optional.empty(),
                args);
    }

    /** As {@link #parse(String...)}, with the JDK 25 to use when {@code --jdk25} is not given. */
    static StartupOptions parse(Optional<Path> defaultJdk25, String... args) {
        int runs = 5;
        Path jar = Path.of("target/namegate.jar");
        Path outputDir = Path.of("target/bench");
        Optional<Path> jdk25 = defaultJdk25;
        List<String> variants = null;
        List<String> jvmArgs = List.of();
        List<String> serviceArgs = List.of();
        Duration poll = Duration.ofMillis(10);
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? "" : arg.substring(eq + 1);
            try {
                switch (name) {
                    case "--runs" -> runs = Integer.parseInt(value);
                    case "--jar" -> jar = Path.of(value);
                    case "--out" -> outputDir = Path.of(value);
                    case "--jdk25" -> jdk25 = value.isBlank() || "none".equals(value) ? Optional.empty()
                            : Optional.of(Path.of(value));
                    case "--variants" -> variants = BenchOptions.words(value.replace(',', ' '));
                    case "--jvm-args" -> jvmArgs = DeploymentJvm.expand(BenchOptions.words(value));
                    case "--service-args" -> serviceArgs = BenchOptions.words(value);
                    case "--poll" -> poll = BenchOptions.duration(value);
                    default -> throw new IllegalArgumentException("unknown option");
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(arg + ": " + e.getMessage(), e);
            }
        }
        if (variants == null) {
            variants = jdk25.isPresent()
                    ? Stream.concat(JDK17_VARIANTS.stream(), JDK25_VARIANTS.stream()).toList()
                    : JDK17_VARIANTS;
        }
        return new StartupOptions(runs, jar, outputDir, jdk25, variants, jvmArgs, serviceArgs, poll);
    }
}
