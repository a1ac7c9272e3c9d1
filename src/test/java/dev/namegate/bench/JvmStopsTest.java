package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmStopsTest {

    @TempDir
    Path dir;

    @Test
    void logsBesideTheOutputUnderAQuotedPath() {
        JvmStops stops = JvmStops.beside("simulator", dir.resolve("simulator-closed-loop-misses.log"));

        assertThat(stops.file()).isEqualTo(dir.resolve("simulator-closed-loop-misses.stops.log"));
        assertThat(stops.jvmOption()).isEqualTo(
                "-Xlog:safepoint:file=\"" + stops.file().toAbsolutePath() + "\":time:filecount=0");
    }

    @Test
    void summarisesTheStopsThatEndedWithinTheWindow() throws IOException {
        JvmStops stops = JvmStops.beside("simulator", dir.resolve("simulator.log"));
        Files.writeString(stops.file(), """
                [2026-12-06T03:55:33.682+0000] Safepoint "GenCollectForAllocation", Time since last: 2072183395 ns, Reaching safepoint: 4909 ns, Cleanup: 4619 ns, At safepoint: 743404 ns, Total: 752932 ns
                [2026-12-06T03:55:35.311+0000] Safepoint "CollectForMetadataAllocation", Time since last: 1593884003 ns, Reaching safepoint: 3797 ns, Cleanup: 2465 ns, At safepoint: 35767535 ns, Total: 35773797 ns
                [2026-12-06T03:55:36.311+0000] Safepoint "Cleanup", Time since last: 1000094426 ns, Reaching safepoint: 5651 ns, Cleanup: 40997 ns, At safepoint: 2835 ns, Total: 49483 ns
                a line of something else
                [2026-12-06T03:55:45.120+0000] Safepoint "GenCollectForAllocation", Time since last: 8808000000 ns, Reaching safepoint: 4000 ns, Cleanup: 4000 ns, At safepoint: 9000000 ns, Total: 9008000 ns
                """);

        JvmStops.Summary step = stops.between(Instant.parse("2026-12-06T03:55:35Z"), Instant.parse("2026-12-06T03:55:45Z"));

        assertThat(step.count()).as("the first ended before, the last after").isEqualTo(2);
        assertThat(step.totalNanos()).isEqualTo(35_773_797L + 49_483L);
        assertThat(step.longestNanos()).isEqualTo(35_773_797L);
        assertThat(step.describe()).isEqualTo(
                "simulator 2 stops, 35.8 ms in all, the longest 35.8 ms (CollectForMetadataAllocation)");
    }

    @Test
    void saysSoWhenThereWasNoStopOrNoLogYet() throws IOException {
        JvmStops stops = JvmStops.beside("namegate", dir.resolve("service.log"));

        assertThat(stops.between(Instant.EPOCH, Instant.now()).describe()).isEqualTo("namegate no stop");
    }
}
