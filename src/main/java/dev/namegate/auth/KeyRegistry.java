package dev.namegate.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import dev.namegate.apikey.ApiKey;

/**
 * The live API keys: the keys file parsed into a {@link KeyTable}, re-read when its content
 * changes so that a rotation or revocation takes effect without a restart.
 *
 * <p>The file is loaded in the constructor, so a missing setting, an unreadable file or a bad line
 * stops the application from starting. Afterwards a daemon thread reads the file every
 * {@link AuthProperties#reloadInterval()} and compares a SHA-256 of its bytes with the last one
 * seen: modification times are not enough, because a Kubernetes Secret update swaps a
 * {@code ..data} symlink and the file path (a symlink into it) keeps its own mtime. A file that
 * fails to read or parse on reload is reported at WARN and the previous keys stay in force; so do
 * they when the new content would remove every key, or more than
 * {@link AuthProperties#maxRemovedShare()} of them (an ERROR: a file truncated or written in place
 * and caught half way would otherwise lock every client out). Each content is judged once: the
 * same bytes are {@link ReloadOutcome#UNCHANGED} until they change, and the verdict depends only on
 * them and the keys in force, which only a reload changes. Outcomes are counted in
 * {@code namegate.auth.keys.reloads{outcome}}.
 *
 * <p>Longer than most classes: loading, validating, the refusal of a reload that would remove too many keys, and the poller belong to one file's life cycle.
 */
@Component
public class KeyRegistry implements SmartLifecycle {

    /** Outcome of one {@link #reloadNow()}. */
    public enum ReloadOutcome {
        /** Same bytes as the last file seen: nothing to do. */
        UNCHANGED,
        /** New content parsed and now in force. */
        RELOADED,
        /** New content has a bad line: the previous keys stay in force. */
        REJECTED,
        /** The file could not be read: the previous keys stay in force. */
        UNREADABLE,
        /** New content would remove every key or too many of them: the previous keys stay in force. */
        REFUSED
    }

    /**
     * A reload that put new keys in force: counts only, never hashes.
     *
     * @param added keys not in the previous table
     * @param removed keys of the previous table no longer live
     * @param keys live keys now
     * @param clients clients with a live key now
     */
    public record Reload(int added, int removed, int keys, int clients) {
    }

    // The warm-up must measure the path, not hit the rate limit or quota.
    private static final ClientLimits EPHEMERAL_LIMITS = new ClientLimits(
            OptionalDouble.of(1_000_000), OptionalInt.of(1_000_000), OptionalInt.of(ClientLimits.MAX_IDS_PER_DAY));

    private static final Logger log = LoggerFactory.getLogger(KeyRegistry.class);
    private final List<Consumer<Reload>> reloadListeners = new CopyOnWriteArrayList<>();

    private final Path keysFile;
    private final Duration reloadInterval;
    private final double maxRemovedShare;
    private final Map<ReloadOutcome, Counter> reloads = new EnumMap<>(ReloadOutcome.class);
    private final Object reloadLock = new Object();

    private volatile KeyTable table;
    // Digest of the last content seen, good, bad or refused, so a bad file is reported once, not
    // every poll; a later write differs, and is judged afresh.
    private byte[] lastDigest;
    private ScheduledExecutorService poller;
    private volatile Ephemeral ephemeral;

    /**
     * @throws IllegalStateException when {@code namegate.auth.keys-file} is not set
     * @throws KeyFileException when the file cannot be read or has a bad line
     */
    public KeyRegistry(AuthProperties properties, MeterRegistry registry) {
        if (properties.keysFile() == null || properties.keysFile().toString().isBlank()) {
            throw new IllegalStateException("No API keys file: set API_KEYS_FILE (property namegate.auth.keys-file)"
                    + " to a file with one '<client-id> <sha256-hex>' line per key; mint keys with"
                    + " 'java -cp target/classes dev.namegate.auth.KeyMint <client-id>'");
        }
        this.keysFile = properties.keysFile();
        this.reloadInterval = properties.reloadInterval();
        this.maxRemovedShare = properties.maxRemovedShare();
        for (ReloadOutcome outcome : ReloadOutcome.values()) {
            reloads.put(outcome, Counter.builder("namegate.auth.keys.reloads")
                    .description("Checks of the API keys file by outcome")
                    .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry));
        }
        byte[] content;
        try {
            content = Files.readAllBytes(keysFile);
        } catch (IOException e) {
            throw new KeyFileException(keysFile.toString(), "cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
        this.table = parse(content);
        this.lastDigest = sha256(content);
        log.info("API keys loaded from {}: {} keys for {} clients", keysFile, table.size(), table.clientCount());
        if (table.size() == 0) {
            log.warn("API keys file {} has no keys: every request to /users will be rejected", keysFile);
        }
    }

    /** The client owning {@code key}, if the key has a valid shape and is live now. */
    public Optional<Client> clientFor(String key) {
        return ApiKey.hasValidShape(key) ? clientForWellShaped(key) : Optional.empty();
    }

    /** As {@link #clientFor}, for a key whose shape the caller has just checked (the check is a CRC). */
    Optional<Client> clientForWellShaped(String key) {
        // A hash-map lookup is not constant-time, but it reveals at most the timing of a lookup of a
        // SHA-256 the caller cannot choose: with 178-bit random keys that is no usable oracle.
        String hash = ApiKey.sha256Hex(key);
        Optional<Client> client = table.clientFor(hash);
        Ephemeral e = ephemeral;
        if (client.isEmpty() && e != null && e.sha256Hex().equals(hash)) {
            return Optional.of(e.client());
        }
        return client;
    }

    /** A key that lives only in this process's memory, for the start-up warm-up. */
    private record Ephemeral(String sha256Hex, Client client) {
    }

    /**
     * Mints a key known only to this process (never written anywhere, never logged), valid until
     * {@link #revokeEphemeralKey()}. The warm-up uses it to call the public API on itself, so the
     * whole request path is warm before readiness turns green.
     */
    String mintEphemeralKey(String clientId) {
        KeyMint.MintedKey minted = KeyMint.mint(clientId, new java.security.SecureRandom());
        ephemeral = new Ephemeral(minted.sha256Hex(), new Client(minted.clientId(), EPHEMERAL_LIMITS));
        return minted.key();
    }

    void revokeEphemeralKey() {
        ephemeral = null;
    }

    /** The keys in force now. */
    public KeyTable table() {
        return table;
    }

    /** Calls {@code listener} after each reload that puts new keys in force (on the reload thread). */
    public void onReload(Consumer<Reload> listener) {
        reloadListeners.add(listener);
    }

    /** Reads the file now, on the calling thread (blocking IO: never call it on an event loop). */
    public ReloadOutcome reloadNow() {
        ReloadOutcome outcome = reload();
        reloads.get(outcome).increment();
        return outcome;
    }

    private ReloadOutcome reload() {
        synchronized (reloadLock) {
            byte[] content;
            try {
                content = Files.readAllBytes(keysFile);
            } catch (IOException e) {
                // During a Kubernetes symlink swap the path may briefly not resolve; the next poll retries.
                log.warn("API keys file {} cannot be read ({}); previous keys stay in force",
                        keysFile, e.getClass().getSimpleName());
                return ReloadOutcome.UNREADABLE;
            }
            byte[] digest = sha256(content);
            if (Arrays.equals(digest, lastDigest)) {
                return ReloadOutcome.UNCHANGED;
            }
            lastDigest = digest;
            KeyTable next;
            try {
                next = parse(content);
            } catch (KeyFileException e) {
                log.warn("{}; previous keys stay in force", e.getMessage());
                return ReloadOutcome.REJECTED;
            }
            KeyTable previous = table;
            int removed = next.removedSince(previous);
            if (previous.size() > 0 && (next.size() == 0 || removed > maxRemovedShare * previous.size())) {
                // Counts only: never a hash.
                log.error("API keys file {} would remove {} of {} keys ({} left); refused, the previous keys stay in"
                        + " force. Replace the file atomically (write a new file, then rename it over the old one);"
                        + " to remove more than namegate.auth.max-removed-share ({}) of the keys, do it in steps or"
                        + " restart", keysFile, removed, previous.size(), next.size(), maxRemovedShare);
                return ReloadOutcome.REFUSED;
            }
            table = next;
            log.info("API keys reloaded from {}: {} keys for {} clients ({} added, {} removed)", keysFile,
                    next.size(), next.clientCount(), next.addedSince(previous), removed);
            Reload reload = new Reload(next.addedSince(previous), removed, next.size(),
                    next.clientCount());
            reloadListeners.forEach(listener -> listener.accept(reload));
            return ReloadOutcome.RELOADED;
        }
    }

    @Override
    public void start() {
        synchronized (reloadLock) {
            if (poller != null) {
                return;
            }
            poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "namegate-keys-reload");
                // Never keep the JVM alive for a reload.
                thread.setDaemon(true);
                return thread;
            });
            long millis = reloadInterval.toMillis();
            poller.scheduleWithFixedDelay(this::pollQuietly, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService stopping;
        synchronized (reloadLock) {
            stopping = poller;
            poller = null;
        }
        if (stopping != null) {
            // shutdown(), not shutdownNow(): interrupting a read in progress would only log a
            // spurious "cannot be read" warning; the schedule is cancelled either way.
            stopping.shutdown();
        }
    }

    @Override
    public boolean isRunning() {
        synchronized (reloadLock) {
            return poller != null;
        }
    }

    private void pollQuietly() {
        try {
            reloadNow();
        } catch (RuntimeException e) {
            // An exception would silently cancel the schedule; keep polling instead.
            log.warn("API keys reload of {} failed ({}); previous keys stay in force",
                    keysFile, e.getClass().getSimpleName());
        }
    }

    private KeyTable parse(byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        return KeyTable.parse(keysFile.toString(), text.lines().toList());
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
