package dev.namegate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mints the benchmark's API key with the project's own tool ({@code dev.namegate.auth.KeyMint},
 * run as a subprocess so this harness does not depend on the auth code at compile time) and writes
 * a keys file for the service.
 */
final class ApiKeys {

    private static final Pattern KEY = Pattern.compile("^key \\(shown once, store it now\\):\\s*(\\S+)\\s*$", Pattern.MULTILINE);
    private static final Pattern LINE = Pattern.compile("^add to the keys file:\\s*(\\S+ [0-9a-fA-F]{64})\\s*$", Pattern.MULTILINE);

    /**
     * @param key          the secret, for the Authorization header only (never logged)
     * @param keysFileLine {@code <client-id> <sha256hex>}
     */
    record Minted(String key, String keysFileLine) {
        @Override
        public String toString() {
            return "Minted[key=<hidden>, keysFileLine=" + keysFileLine + "]";
        }
    }

    private ApiKeys() {
    }

    static Minted mint(String clientId) throws IOException, InterruptedException {
        Process mint = new ProcessBuilder(Java.launcher(), "-cp", System.getProperty("java.class.path"),
                "dev.namegate.auth.KeyMint", clientId).redirectErrorStream(true).start();
        String out = new String(mint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = mint.waitFor();
        Matcher key = KEY.matcher(out);
        Matcher line = LINE.matcher(out);
        if (exit != 0 || !key.find() || !line.find()) {
            // The output holds a key only on success, and then we do not get here.
            throw new IOException("KeyMint failed (exit " + exit + "): " + out.strip());
        }
        return new Minted(key.group(1), line.group(1));
    }

    /**
     * Writes a keys file readable only by us. {@code attributes} (e.g. {@code rate=...}) lift the
     * service's per-client limits: the benchmark measures upstream handling, not client throttling.
     */
    static Path writeKeysFile(Path directory, Minted minted, String attributes) throws IOException {
        Path file = directory.resolve("keys");
        String line = attributes.isBlank() ? minted.keysFileLine() : minted.keysFileLine() + " " + attributes.strip();
        Files.write(file, List.of("# namegate benchmark key, deleted after the run", line), StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // best effort
        }
        return file;
    }
}
