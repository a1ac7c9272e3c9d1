package dev.namegate.limits.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.namegate.auth.ClientId;

/**
 * What the shared store keeps instead of a user id: HMAC-SHA256 under a secret every replica
 * shares, of the client id and the user id, cut to {@value #BYTES} bytes. Without the secret
 * nobody can tell from Redis which client read which user, nor match one user across clients.
 * 96 bits keep collisions out of any quota: about 10^-20 at 10^4 ids in one window.
 */
final class IdKeying {

    /** Bytes kept of each HMAC. */
    static final int BYTES = 12;
    /** The shortest secret accepted from {@code namegate.limits.redis.id-key-file}. */
    static final int MIN_SECRET_CHARS = 32;
    private static final String ALGORITHM = "HmacSHA256";
    // Used only when no id-key-file is set (a warning says so): replicas must agree on some key.
    private static final byte[] BUILT_IN = "namegate built-in id key; set namegate.limits.redis.id-key-file"
            .getBytes(StandardCharsets.UTF_8);

    private final ThreadLocal<Mac> macs;

    private IdKeying(byte[] secret) {
        SecretKeySpec key = new SecretKeySpec(secret, ALGORITHM);
        mac(key); // fail at start, not on the first request
        this.macs = ThreadLocal.withInitial(() -> mac(key));
    }

    /** Keyed with the secret in {@code file}, or the built-in key when {@code file} is null. */
    static IdKeying from(Path file) {
        if (file == null) {
            return new IdKeying(BUILT_IN);
        }
        String secret;
        try {
            secret = Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("namegate.limits.redis.id-key-file cannot be read: " + file, e);
        }
        if (secret.length() < MIN_SECRET_CHARS) {
            throw new IllegalArgumentException("namegate.limits.redis.id-key-file must hold at least "
                    + MIN_SECRET_CHARS + " characters (it holds " + secret.length() + ")");
        }
        return new IdKeying(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** The member that stands for {@code userId} in {@code client}'s set. */
    byte[] of(ClientId client, long userId) {
        Mac mac = macs.get();
        mac.update(client.value().getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) 0);
        for (int shift = 56; shift >= 0; shift -= 8) {
            mac.update((byte) (userId >>> shift));
        }
        return Arrays.copyOf(mac.doFinal(), BYTES);
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }
}
