package dev.namegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import dev.namegate.auth.KeyMint;
import dev.namegate.bench.BenchOptions;
import dev.namegate.auth.KeyMint.MintedKey;

/**
 * One real key per test JVM, in a real keys file, as an operator would set it up. Its line lifts
 * the rate limit and quota (as for benchmark keys), so tests of other features that send bursts
 * measure those features, not the limiter.
 */
public final class TestKeys {

    public static final MintedKey CLIENT = KeyMint.mint("test-client", new SecureRandom());
    /** Keys file attributes that lift the per-client limits, the benchmark's (see README "Limits"). */
    public static final String UNLIMITED = BenchOptions.UNLIMITED_KEY;
    private static volatile Path file;

    private TestKeys() {
    }

    /** {@code Authorization} header value for {@link #CLIENT}. */
    public static String bearer() {
        return "Bearer " + CLIENT.key();
    }

    /** A keys file of {@code lines} in a temporary file deleted at exit, for tests with keys of their own. */
    public static Path keysFile(String... lines) {
        try {
            Path file = Files.createTempFile("namegate-keys", "");
            file.toFile().deleteOnExit();
            Files.writeString(file, String.join("\n", lines) + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static synchronized Path keysFile() {
        if (file == null) {
            try {
                Path dir = Files.createTempDirectory("namegate-keys");
                Path f = dir.resolve("keys");
                Files.writeString(f, "# test keys\n" + CLIENT.keysFileLine() + " " + UNLIMITED + "\n");
                f.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                file = f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }
}
