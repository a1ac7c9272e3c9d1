package dev.namegate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.auth.KeyRegistry.ReloadOutcome;
import dev.namegate.testing.LogCapture;

class KeyRegistryTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private KeyRegistry registry;

    @AfterEach
    void stopPolling() {
        if (registry != null) {
            registry.stop();
        }
    }

    @Test
    void aRotationAddsTheNewKeyThenRemovesTheOldOne() throws IOException {
        MintedKey old = KeyMint.mint("alice", RANDOM);
        MintedKey rotated = KeyMint.mint("alice", RANDOM);
        Path keys = write(dir.resolve("keys"), old);
        registry = registry(keys, Duration.ofSeconds(2));
        assertThat(registry.clientFor(old.key())).map(Client::id).contains(new ClientId("alice"));
        assertThat(registry.clientFor(rotated.key())).isEmpty();

        write(keys, old, rotated);
        assertThat(registry.reloadNow()).isEqualTo(ReloadOutcome.RELOADED);
        assertThat(registry.clientFor(old.key())).isPresent();
        write(keys, rotated);

        assertThat(registry.reloadNow()).isEqualTo(ReloadOutcome.RELOADED);
        assertThat(registry.clientFor(rotated.key())).map(Client::id).contains(new ClientId("alice"));
        assertThat(registry.clientFor(old.key())).isEmpty();
        assertThat(registry.reloadNow()).isEqualTo(ReloadOutcome.UNCHANGED);
    }

    @Test
    void kubernetesSymlinkSwapIsPickedUp() throws IOException {
        // The layout kubelet gives a mounted Secret: keys -> ..data/keys, ..data -> ..<timestamp>.
        MintedKey first = KeyMint.mint("alice", RANDOM);
        MintedKey second = KeyMint.mint("bob", RANDOM);
        MintedKey staying = KeyMint.mint("carol", RANDOM);
        Path v1 = Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.000000001"));
        write(v1.resolve("keys"), first, staying);
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path keys = Files.createSymbolicLink(dir.resolve("keys"), Path.of("..data", "keys"));
        registry = registry(keys, Duration.ofSeconds(2));
        assertThat(registry.clientFor(first.key())).isPresent();

        Path v2 = Files.createDirectory(dir.resolve("..2026_01_02_00_00_00.000000002"));
        write(v2.resolve("keys"), second, staying);
        Path tmpLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
        Files.move(tmpLink, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

        assertThat(registry.reloadNow()).isEqualTo(ReloadOutcome.RELOADED);
        assertThat(registry.clientFor(second.key())).map(Client::id).contains(new ClientId("bob"));
        assertThat(registry.clientFor(first.key())).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({ "a bad line, REJECTED", "deleted, UNREADABLE", "every line deleted, REFUSED" })
    void aFileThatCannotBeInstalledKeepsThePreviousKeys(String change, ReloadOutcome outcome) throws IOException {
        MintedKey alice = KeyMint.mint("alice", RANDOM);
        Path keys = write(dir.resolve("keys"), alice);
        // any share of the keys may go, but never the last one
        registry = new KeyRegistry(new AuthProperties(keys, Duration.ofSeconds(2), 1.0), meters);

        switch (change) {
            case "a bad line" -> Files.writeString(keys, "# broken\nalice not-a-hash\n");
            case "deleted" -> Files.delete(keys);
            default -> Files.writeString(keys, "# every line deleted\n");
        }

        assertThat(registry.reloadNow()).isEqualTo(outcome);
        assertThat(registry.clientFor(alice.key())).isPresent();
    }

    @Test
    void pollingThreadPicksUpAChangeByItself() throws Exception {
        MintedKey alice = KeyMint.mint("alice", RANDOM);
        MintedKey bob = KeyMint.mint("bob", RANDOM);
        MintedKey carol = KeyMint.mint("carol", RANDOM);
        Path keys = write(dir.resolve("keys"), alice, carol);
        registry = registry(keys, Duration.ofMillis(50));
        registry.start();
        assertThat(registry.isRunning()).isTrue();

        write(keys, bob, carol);

        // the poller's own thread, on real time: that it runs by itself is what is tested
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.clientFor(bob.key()).isPresent());
        assertThat(registry.clientFor(alice.key())).isEmpty();
        registry.stop();
        assertThat(registry.isRunning()).isFalse();
    }

    @Test
    void badLineAtStartupFailsWithTheLineNumber() throws IOException {
        Path keys = Files.writeString(dir.resolve("keys"), "# ok\n\nalice " + "f".repeat(63) + "\n");

        assertThatThrownBy(() -> registry(keys, Duration.ofSeconds(2)))
                .isInstanceOf(KeyFileException.class)
                .hasMessage("keys file " + keys + " line 3: bad SHA-256 hex (expected 64 hex digits)");
    }

    @Test
    void missingKeysFileSettingFailsNamingApiKeysFile() {
        assertThatThrownBy(() -> registry(null, Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("API_KEYS_FILE")
                .hasMessageContaining("namegate.auth.keys-file");
    }

    @Test
    void unreadableKeysFileAtStartupFailsNamingTheFile() {
        Path keys = dir.resolve("absent");

        assertThatThrownBy(() -> registry(keys, Duration.ofSeconds(2)))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining(keys.toString());
    }

    @Test
    void aTruncatedFileIsRefusedOnceAndThePreviousKeysStayInForce() throws IOException {
        MintedKey alice = KeyMint.mint("alice", RANDOM);
        MintedKey bob = KeyMint.mint("bob", RANDOM);
        Path keys = write(dir.resolve("keys"), alice, bob);
        registry = registry(keys, Duration.ofSeconds(2));

        try (LogCapture logs = LogCapture.of(KeyRegistry.class.getName())) {
            Files.writeString(keys, ""); // '>' or an editor writing in place, caught half way
            assertThat(registry.reloadNow()).isEqualTo(ReloadOutcome.REFUSED);
            assertThat(registry.reloadNow()).as("the same content again").isEqualTo(ReloadOutcome.UNCHANGED);

            assertThat(registry.clientFor(alice.key())).isPresent();
            assertThat(registry.clientFor(bob.key())).isPresent();
            assertThat(logs.events()).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.ERROR);
                assertThat(event.getFormattedMessage()).contains("remove 2 of 2 keys")
                        .doesNotContain(alice.sha256Hex()).doesNotContain(bob.sha256Hex());
            });
        }
        assertThat(reloads("refused")).isEqualTo(1);
        assertThat(reloads("unchanged")).isEqualTo(1);
    }

    @Test
    void aReloadRemovingMoreThanTheAllowedShareIsRefusedAndHalfIsAllowed() throws IOException {
        MintedKey[] four = { KeyMint.mint("a", RANDOM), KeyMint.mint("b", RANDOM), KeyMint.mint("c", RANDOM),
            KeyMint.mint("d", RANDOM) };
        Path keys = write(dir.resolve("keys"), four);
        registry = registry(keys, Duration.ofSeconds(2));

        write(keys, four[0]);
        assertThat(registry.reloadNow()).as("3 of 4 removed").isEqualTo(ReloadOutcome.REFUSED);
        assertThat(registry.clientFor(four[3].key())).isPresent();

        write(keys, four[0], four[1]);
        assertThat(registry.reloadNow()).as("2 of 4 removed: the default share, 0.5").isEqualTo(ReloadOutcome.RELOADED);
        assertThat(registry.clientFor(four[3].key())).isEmpty();
        assertThat(registry.clientFor(four[1].key())).isPresent();
        assertThat(reloads("refused")).isEqualTo(1);
        assertThat(reloads("reloaded")).isEqualTo(1);
    }

    @Test
    void theContentFromBeforeATruncationIsInstalledAgain() throws IOException {
        MintedKey alice = KeyMint.mint("alice", RANDOM);
        Path keys = write(dir.resolve("keys"), alice);
        registry = registry(keys, Duration.ofSeconds(2));
        Files.writeString(keys, "");
        assertThat(registry.reloadNow()).isEqualTo(ReloadOutcome.REFUSED);

        write(keys, alice);

        assertThat(registry.reloadNow()).isEqualTo(ReloadOutcome.RELOADED);
        assertThat(registry.clientFor(alice.key())).isPresent();
    }

    @Test
    void thePollerRefusesATruncatedFileOnceThenInstallsTheNextGoodWrite() throws IOException {
        MintedKey alice = KeyMint.mint("alice", RANDOM);
        MintedKey bob = KeyMint.mint("bob", RANDOM);
        Path keys = write(dir.resolve("keys"), alice);
        registry = registry(keys, Duration.ofMillis(20));
        try (LogCapture logs = LogCapture.of(KeyRegistry.class.getName())) {
            registry.start();

            Files.writeString(keys, "");
            await().atMost(Duration.ofSeconds(5)).until(() -> reloads("refused") == 1);
            double unchanged = reloads("unchanged");
            await().atMost(Duration.ofSeconds(5)).until(() -> reloads("unchanged") >= unchanged + 3);
            assertThat(registry.clientFor(alice.key())).as("still in force after several polls").isPresent();
            assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).hasSize(1);

            write(keys, alice, bob);
            await().atMost(Duration.ofSeconds(5)).until(() -> registry.clientFor(bob.key()).isPresent());
            assertThat(registry.clientFor(alice.key())).isPresent();
            assertThat(reloads("reloaded")).isEqualTo(1);
        }
    }

    /** A registry with the default {@code max-removed-share}, as the properties give it. */
    private KeyRegistry registry(Path keys, Duration reloadInterval) {
        double defaultShare = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("namegate.auth", AuthProperties.class).maxRemovedShare();
        return new KeyRegistry(new AuthProperties(keys, reloadInterval, defaultShare), meters);
    }

    private double reloads(String outcome) {
        return meters.counter("namegate.auth.keys.reloads", "outcome", outcome).count();
    }

    private static Path write(Path file, MintedKey... minted) throws IOException {
        StringBuilder content = new StringBuilder("# test keys\n");
        for (MintedKey m : minted) {
            content.append(m.keysFileLine()).append('\n');
        }
        // Write to a sibling and move, as an editor or kubelet would, so a poll never sees half a file.
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
