package dev.namegate.audit;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import dev.namegate.auth.ClientId;

import tools.jackson.databind.json.JsonMapper;

/**
 * Writes security events to the logger {@value #LOGGER_NAME}, one JSON object per event and line:
 * <pre>
 * {"time":"2025-01-01T00:00:00Z","audit":"authentication-failure","address":"203.0.113.7","reason":"unknown-key","requestId":"..."}
 * </pre>
 * Every event has {@code time} (ISO-8601 UTC) and {@code audit} (the event kind); the other fields
 * are listed on each method. The JSON is built with Jackson, so a value can never break the line
 * or forge a field. Nothing secret is ever a field: no key or part of one, no hash, no
 * {@code Authorization} header, no query string; addresses, client ids and counts only.
 *
 * <p>The logger is non-additive with its own message-only appender ({@link AuditAppender}),
 * so audit lines stay one JSON object each whether the regular logs are text or structured.
 */
public final class AuditLog {

    /** The dedicated logger; route or silence the audit stream by this name. */
    public static final String LOGGER_NAME = "namegate.audit";

    private static final Logger log = LoggerFactory.getLogger(LOGGER_NAME);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Clock clock;

    public AuditLog(Clock clock) {
        this.clock = clock;
    }

    /** Why an authentication failed, as a class: never anything of the credential itself. */
    public enum FailureReason {
        /** An {@code Authorization: Bearer} value that is not shaped like a key or fails its checksum. */
        MALFORMED_KEY,
        /** A well-formed key that is not live (never issued, or revoked). */
        UNKNOWN_KEY;

        String slug() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** {@code authentication-failure} (INFO): {@code address}, {@code reason}, {@code requestId}. */
    public void authenticationFailed(InetAddress address, FailureReason reason, String requestId) {
        write(Level.INFO, "authentication-failure", Map.of(
                "address", address.getHostAddress(), "reason", reason.slug(), "requestId", requestId));
    }

    /**
     * {@code throttle-start} (WARN): {@code address}, {@code failures} counted in the window,
     * {@code coolDownSeconds}.
     */
    public void throttleStarted(InetAddress address, int failures, Duration coolDown) {
        write(Level.WARN, "throttle-start", Map.of(
                "address", address.getHostAddress(), "failures", failures, "coolDownSeconds", coolDown.toSeconds()));
    }

    /** {@code throttle-end} (INFO): {@code address}, {@code refused} requests refused during the cool-down. */
    public void throttleEnded(InetAddress address, long refused) {
        write(Level.INFO, "throttle-end", Map.of("address", address.getHostAddress(), "refused", refused));
    }

    /** {@code quota-warning} (WARN): {@code client}, {@code used} distinct ids, {@code quota}. */
    public void quotaWarning(ClientId client, int used, int quota) {
        write(Level.WARN, "quota-warning", Map.of("client", client.value(), "used", used, "quota", quota));
    }

    /** {@code quota-exhausted} (WARN): {@code client}, {@code quota}, {@code retryAfterSeconds}. */
    public void quotaExhausted(ClientId client, int quota, long retryAfterSeconds) {
        write(Level.WARN, "quota-exhausted", Map.of(
                "client", client.value(), "quota", quota, "retryAfterSeconds", retryAfterSeconds));
    }

    /**
     * {@code keys-reload} (INFO): {@code added} and {@code removed} keys, {@code keys} and
     * {@code clients} now live. Counts only: a hash would let an offline guesser test candidates.
     */
    public void keysReloaded(int added, int removed, int keys, int clients) {
        write(Level.INFO, "keys-reload", Map.of("added", added, "removed", removed, "keys", keys, "clients", clients));
    }

    private void write(Level level, String event, Map<String, Object> fields) {
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", clock.instant().toString());
        line.put("audit", event);
        // Fixed order for readers and tests: Map.of has none.
        fields.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> line.put(entry.getKey(), entry.getValue()));
        log.atLevel(level).log(JSON.writeValueAsString(line));
    }
}
