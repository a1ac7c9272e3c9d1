package dev.namegate.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.namegate.NamegateApplication;

/**
 * {@code namegate.warmup.exit-when-done}, the switch of {@code make cds}'s training run: the process
 * ends by itself, with status 0, once its warm-up is done, so the JVM can write its CDS archive.
 */
class WarmupExitIT {

    @Test
    void aTrainingRunEndsByItselfWithStatusZeroOnceItsWarmUpIsDone() throws Exception {
        Path log = Files.createDirectories(Path.of("target")).resolve("warmup-exit-test.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx320m", "-XX:+UseSerialGC", // about the Deployment's heap: the cache may take a quarter "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), NamegateApplication.class.getName(),
                // demo mode: the simulator and a key in-process, as make cds trains
                "--namegate.demo.enabled=true", "--namegate.warmup.exit-when-done=true",
                "--namegate.warmup.lookups=2", "--namegate.warmup.requests=2", "--namegate.warmup.probes=2", "--namegate.warmup.drill-requests=20")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SERVER_PORT", "0");
        pb.environment().put("MANAGEMENT_SERVER_PORT", "0");
        Process training = pb.start();
        try {
            assertThat(training.waitFor(60, TimeUnit.SECONDS)).as("exited by itself; see " + log).isTrue();
            assertThat(training.exitValue()).isZero();
            String output = Files.readString(log);
            assertThat(output).contains("warm-up done in", "exiting after the warm-up");
            assertThat(output.indexOf("exiting after the warm-up")).isGreaterThan(output.indexOf("warm-up done in"));
        } finally {
            training.destroyForcibly();
        }
    }
}
