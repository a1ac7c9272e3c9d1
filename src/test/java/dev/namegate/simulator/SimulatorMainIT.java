package dev.namegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The standalone process as scripts use it: one READY line on stdout, exit codes, SIGTERM. */
class SimulatorMainIT {

    private static final long PROCESS_TIMEOUT_SECONDS = 20;

    @Test
    void printsExactlyOneReadyLineThenServesUntilTerminated() throws Exception {
        Process process = start("--scenario=flaky,bad-instances", "--fail-rate=1", "--instances=2");
        process.getErrorStream().close(); // read nothing from it; the child must not block on it
        try (BufferedReader stdout = reader(process)) {
            String ready = stdout.readLine();

            assertThat(ready).startsWith("SIMULATOR READY base-urls=");
            String[] urls = ready.substring("SIMULATOR READY base-urls=".length()).split(",");
            assertThat(urls).hasSize(3);
            assertThat(new SimulatorHttp().post(urls[0], "/1").body()).isEqualTo("Internal error");

            // SIGTERM, through the handle because Process.destroy() also closes our end of stdout.
            process.toHandle().destroy();
            assertThat(process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(stdout.readLine()).as("nothing but the READY line on stdout").isNull();
            // 143 = killed by SIGTERM, after the shutdown hook ran.
            assertThat(process.exitValue()).isEqualTo(143);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void badArgumentsExitWithCodeTwoAndUsage() throws Exception {
        Process process = start("--scenario=sloww");

        assertThat(process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(stderr).contains("unknown scenario 'sloww'", "Usage:");
        assertThat(process.getInputStream().readAllBytes()).isEmpty();
    }

    private static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                SimulatorMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    private static BufferedReader reader(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }
}
