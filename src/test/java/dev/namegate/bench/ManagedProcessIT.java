package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagedProcessIT {

    @TempDir
    Path dir;

    @Test
    void awaitsItsReadyLineLogsOutputAndIsGoneAfterClose() throws Exception {
        Path log = dir.resolve("child.log");
        ManagedProcess child = ManagedProcess.start("child", List.of("sh", "-c", "echo starting; echo READY at $X; exec sleep 60"),
                Map.of("X", "here"), log, line -> line.startsWith("READY"));

        assertThat(child.awaitLine(Duration.ofSeconds(10))).isEqualTo("READY at here");
        child.close();

        assertThat(child.isAlive()).isFalse();
        assertThat(ProcessHandle.of(child.pid()).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(Files.readAllLines(log)).containsExactly("starting", "READY at here");
    }

    @Test
    void aChildThatExitsBeforeItsReadyLineFailsTheWaitAtOnce() throws Exception {
        try (ManagedProcess child = ManagedProcess.start("quitter", List.of("sh", "-c", "echo oops; exit 3"), Map.of(),
                dir.resolve("quitter.log"), line -> line.startsWith("READY"))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> child.awaitLine(Duration.ofSeconds(30))).isInstanceOf(IOException.class)
                    .hasMessageContaining("quitter ended before it was ready");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void mintsAKeyWithTheProjectsKeyMintAndWritesAPrivateKeysFile() throws Exception {
        ApiKeys.Minted minted = ApiKeys.mint("bench-test");

        assertThat(minted.key()).startsWith("ng_");
        assertThat(minted.keysFileLine()).matches("bench-test [0-9a-f]{64}");
        assertThat(minted.toString()).doesNotContain(minted.key());
        Path keys = ApiKeys.writeKeysFile(dir, minted, "rate=5");
        assertThat(Files.readAllLines(keys)).contains(minted.keysFileLine() + " rate=5");
        assertThat(Files.getPosixFilePermissions(keys)).hasSize(2);
    }
}
