package dev.namegate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.auth.KeyRegistry.ReloadOutcome;

class KeyRegistryTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private KeyRegistry registry;

    @AfterEach
    void stopPolling() {
        if (registry != null) {
            registry.stop();
        }
    }

    @Test
    void rewrittenFileAcceptsNewKeyAndRejectsRemovedKeyAfterReload() throws IOException {
        MintedKey old = KeyMint.mint("alice", RANDOM);
        MintedKey rotated = KeyMint.mint("alice", RANDOM);
        Path keys = write(dir.resolve("keys"), old);
        registry = new KeyRegistry(new AuthProperties(keys, Duration.ofSeconds(2)));
        assertThat(registry.clientFor(old.key())).map(Client::id).contains(new ClientId("alice"));
        assertThat(registry.clientFor(rotated.key())).isEmpty();

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
        Path v1 = Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.000000001"));
        write(v1.resolve("keys"), first);
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path keys = Files.createSymbolicLink(dir.resolve("keys"), Path.of("..data", "keys"));
        registry = new KeyRegistry(new AuthProperties(keys, Duration.ofSeconds(2)));
        assertThat(registry.clientFor(first.key())).isPresent();

        Path v2 = Files.createDirectory(dir.resolve("..2026_01_02_00_00_00.000000002"));
        write(v2.resolve("keys"), second);
        Path tmpLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
        Files.move(tmpLink, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

        assertThat(registry.reloadNow()).isEqualTo(ReloadOutcome.RELOADED);
        assertThat(registry.clientFor(second.key())).map(Client::id).contains(new ClientId("bob"));
        assertThat(registry.clientFor(first.key())).isEmpty();
    }

    @Test
    void badFileOnReloadKeepsThePreviousKeys() throws IOException {
        MintedKey alice = KeyMint.mint("alice", RANDOM);
        Path keys = write(dir.resolve("keys"), alice);
        registry = new KeyRegistry(new AuthProperties(keys, Duration.ofSeconds(2)));

        Files.writeString(keys, "# broken\nalice not-a-hash\n");

        assertThat(registry.reloadNow()).isEqualTo(ReloadOutcome.REJECTED);
        assertThat(registry.clientFor(alice.key())).isPresent();
    }

    @Test
    void missingFileOnReloadKeepsThePreviousKeys() throws IOException {
        MintedKey alice = KeyMint.mint("alice", RANDOM);
        Path keys = write(dir.resolve("keys"), alice);
        registry = new KeyRegistry(new AuthProperties(keys, Duration.ofSeconds(2)));

        Files.delete(keys);

        assertThat(registry.reloadNow()).isEqualTo(ReloadOutcome.UNREADABLE);
        assertThat(registry.clientFor(alice.key())).isPresent();
    }

    @Test
    void pollingThreadPicksUpAChangeByItself() throws Exception {
        MintedKey alice = KeyMint.mint("alice", RANDOM);
        MintedKey bob = KeyMint.mint("bob", RANDOM);
        Path keys = write(dir.resolve("keys"), alice);
        registry = new KeyRegistry(new AuthProperties(keys, Duration.ofMillis(50)));
        registry.start();
        assertThat(registry.isRunning()).isTrue();

        write(keys, bob);

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (registry.clientFor(bob.key()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(registry.clientFor(bob.key())).isPresent();
        assertThat(registry.clientFor(alice.key())).isEmpty();
        registry.stop();
        assertThat(registry.isRunning()).isFalse();
    }

    @Test
    void badLineAtStartupFailsWithTheLineNumber() throws IOException {
        Path keys = Files.writeString(dir.resolve("keys"), "# ok\n\nalice " + "f".repeat(63) + "\n");

        assertThatThrownBy(() -> new KeyRegistry(new AuthProperties(keys, Duration.ofSeconds(2))))
                .isInstanceOf(KeyFileException.class)
                .hasMessage("keys file " + keys + " line 3: bad SHA-256 hex (expected 64 hex digits)");
    }

    @Test
    void missingKeysFileSettingFailsNamingApiKeysFile() {
        assertThatThrownBy(() -> new KeyRegistry(new AuthProperties(null, Duration.ofSeconds(2))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("API_KEYS_FILE")
                .hasMessageContaining("namegate.auth.keys-file");
    }

    @Test
    void unreadableKeysFileAtStartupFailsNamingTheFile() {
        Path keys = dir.resolve("absent");

        assertThatThrownBy(() -> new KeyRegistry(new AuthProperties(keys, Duration.ofSeconds(2))))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining(keys.toString());
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
