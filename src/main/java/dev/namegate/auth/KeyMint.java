package dev.namegate.auth;

import java.io.PrintStream;
import java.security.SecureRandom;
import dev.namegate.apikey.ApiKey;

/**
 * Mints an API key: {@code java -cp target/classes dev.namegate.auth.KeyMint <client-id>}.
 * Prints the key once (it is stored nowhere) and the line to append to the keys file, which
 * holds only the key's SHA-256. Uses only JDK classes so it runs without the Spring classpath.
 */
public final class KeyMint {

    /**
     * A freshly minted key and its keys file line. {@link #toString()} hides the key so that an
     * accidental log of this value leaks nothing.
     *
     * @param clientId the client the key belongs to
     * @param key the secret key, to hand to the client once
     * @param sha256Hex lower-case hex SHA-256 of {@code key}
     */
    public record MintedKey(ClientId clientId, String key, String sha256Hex) {

        /** The line to append to the keys file: {@code <client-id> <sha256-hex>}. */
        public String keysFileLine() {
            return clientId.value() + " " + sha256Hex;
        }

        @Override
        public String toString() {
            return "MintedKey[clientId=" + clientId.value() + ", key=<hidden>]";
        }
    }

    private KeyMint() {
    }

    /**
     * Mints a key for {@code clientId}.
     *
     * @throws IllegalArgumentException when {@code clientId} is not 1 to 64 characters of {@code [A-Za-z0-9._-]}
     */
    public static MintedKey mint(String clientId, SecureRandom random) {
        ClientId id = new ClientId(clientId);
        String key = ApiKey.mint(random);
        return new MintedKey(id, key, ApiKey.sha256Hex(key));
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 1 || !ClientId.isValid(args[0])) {
            err.println("usage: KeyMint <client-id>   (client id: 1 to 64 characters of [A-Za-z0-9._-])");
            return 2;
        }
        MintedKey minted = mint(args[0], new SecureRandom());
        out.println("key (shown once, store it now): " + minted.key());
        out.println("add to the keys file:          " + minted.keysFileLine());
        return 0;
    }
}
