package dev.namegate.auth;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parsed keys file: lower-case hex SHA-256 of each live key mapped to its {@link Client}.
 * Immutable; a reload builds a new table and swaps it in whole.
 *
 * <p>File format, one entry per line:
 * <pre>
 * # comment
 * &lt;client-id&gt; &lt;sha256-hex&gt; [name=value ...]   # trailing comment
 * </pre>
 * Hex may be in either case. A client may have several lines (two live keys during a rotation),
 * but then every line must give it the same attributes. Known attributes: {@code rate} (positive
 * number, requests/s), {@code burst} (positive int), {@code ids-per-day} (positive int, at most
 * {@link ClientLimits#MAX_IDS_PER_DAY}).
 */
public final class KeyTable {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");
    private static final Pattern INTEGER = Pattern.compile("[0-9]{1,9}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** A table with no keys: every key is rejected. */
    public static final KeyTable EMPTY = new KeyTable(Map.of());

    private final Map<String, Client> clientsByHash;

    private KeyTable(Map<String, Client> clientsByHash) {
        this.clientsByHash = Map.copyOf(clientsByHash);
    }

    /**
     * Parses a keys file's lines.
     *
     * @param source names the file in error messages
     * @throws KeyFileException naming the first bad line
     */
    public static KeyTable parse(String source, List<String> lines) {
        Map<String, Client> byHash = new HashMap<>();
        Map<String, Integer> lineOfHash = new HashMap<>();
        Map<ClientId, Integer> firstLineOfClient = new HashMap<>();
        Map<ClientId, ClientLimits> limitsOfClient = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String[] fields = fields(lines.get(i));
            if (fields.length == 0) {
                continue;
            }
            if (!ClientId.isValid(fields[0])) {
                throw new KeyFileException(source, lineNumber, "bad client id (1 to 64 characters of [A-Za-z0-9._-])");
            }
            ClientId id = new ClientId(fields[0]);
            if (fields.length < 2) {
                throw new KeyFileException(source, lineNumber, "missing SHA-256 hex after the client id");
            }
            if (!SHA256_HEX.matcher(fields[1]).matches()) {
                throw new KeyFileException(source, lineNumber, "bad SHA-256 hex (expected 64 hex digits)");
            }
            String hash = fields[1].toLowerCase(Locale.ROOT);
            ClientLimits limits = limits(source, lineNumber, fields);
            Integer earlier = lineOfHash.putIfAbsent(hash, lineNumber);
            if (earlier != null) {
                throw new KeyFileException(source, lineNumber, "same key hash as line " + earlier);
            }
            Integer firstLine = firstLineOfClient.putIfAbsent(id, lineNumber);
            ClientLimits firstLimits = limitsOfClient.putIfAbsent(id, limits);
            if (firstLine != null) {
                if (!firstLimits.equals(limits)) {
                    // A rate limiter keyed by client could not tell which line wins.
                    throw new KeyFileException(source, lineNumber,
                            "attributes for client " + id + " differ from line " + firstLine);
                }
            }
            byHash.put(hash, new Client(id, limits));
        }
        return new KeyTable(byHash);
    }

    /** The client whose key has this SHA-256 (hex, either case), if the key is live. */
    public Optional<Client> clientFor(String sha256Hex) {
        return Optional.ofNullable(clientsByHash.get(sha256Hex.toLowerCase(Locale.ROOT)));
    }

    /** Number of live keys. */
    public int size() {
        return clientsByHash.size();
    }

    /** Number of distinct clients with at least one live key. */
    public int clientCount() {
        return (int) clientsByHash.values().stream().map(Client::id).distinct().count();
    }

    /** Keys in this table that {@code previous} does not have. */
    public int addedSince(KeyTable previous) {
        Set<String> added = new HashSet<>(clientsByHash.keySet());
        added.removeAll(previous.clientsByHash.keySet());
        return added.size();
    }

    /** Keys {@code previous} had that this table no longer has. */
    public int removedSince(KeyTable previous) {
        return previous.addedSince(this);
    }

    /** Counts only: the hashes must never reach a log line. */
    @Override
    public String toString() {
        return "KeyTable[keys=" + size() + ", clients=" + clientCount() + "]";
    }

    private static String[] fields(String line) {
        String content = stripComment(line).strip();
        return content.isEmpty() ? new String[0] : WHITESPACE.split(content);
    }

    /** A '#' starts a comment at the start of a line or after whitespace; elsewhere it is content. */
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static ClientLimits limits(String source, int lineNumber, String[] fields) {
        OptionalDouble rate = OptionalDouble.empty();
        OptionalInt burst = OptionalInt.empty();
        OptionalInt idsPerDay = OptionalInt.empty();
        Set<String> seen = new HashSet<>();
        for (int f = 2; f < fields.length; f++) {
            int eq = fields[f].indexOf('=');
            if (eq <= 0) {
                throw new KeyFileException(source, lineNumber, "bad attribute " + (f - 1) + " (expected name=value)");
            }
            // Names are echoed only when known: an unknown "name" could be a pasted secret.
            String name = fields[f].substring(0, eq);
            String value = fields[f].substring(eq + 1);
            switch (name) {
                case "rate" -> rate = OptionalDouble.of(positiveDecimal(source, lineNumber, name, value));
                case "burst" -> burst = OptionalInt.of(positiveInt(source, lineNumber, name, value));
                case "ids-per-day" -> idsPerDay = OptionalInt.of(idsPerDay(source, lineNumber, name, value));
                default -> throw new KeyFileException(source, lineNumber,
                        "unknown attribute " + (f - 1) + " (known: rate, burst, ids-per-day)");
            }
            if (!seen.add(name)) {
                throw new KeyFileException(source, lineNumber, "attribute " + name + " given twice");
            }
        }
        return new ClientLimits(rate, burst, idsPerDay);
    }

    private static double positiveDecimal(String source, int lineNumber, String name, String value) {
        if (DECIMAL.matcher(value).matches()) {
            double parsed = Double.parseDouble(value);
            if (parsed > 0) {
                return parsed;
            }
        }
        throw new KeyFileException(source, lineNumber, "attribute " + name + " must be a positive number");
    }

    private static int idsPerDay(String source, int lineNumber, String name, String value) {
        int ids = positiveInt(source, lineNumber, name, value);
        if (ids > ClientLimits.MAX_IDS_PER_DAY) {
            throw new KeyFileException(source, lineNumber,
                    "attribute " + name + " must be at most " + ClientLimits.MAX_IDS_PER_DAY);
        }
        return ids;
    }

    private static int positiveInt(String source, int lineNumber, String name, String value) {
        if (INTEGER.matcher(value).matches()) {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        }
        throw new KeyFileException(source, lineNumber, "attribute " + name + " must be a positive integer");
    }
}
