package dev.namegate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.namegate.auth.ClientId;
import dev.namegate.testing.LogCapture;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Each event kind: exactly one line, one JSON object, the documented fields and nothing else. */
class AuditLogTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final InetAddress ADDRESS = InetAddress.getLoopbackAddress();

    record Kind(String name, Consumer<AuditLog> write, List<String> fields) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Kind> kinds() {
        ClientId client = new ClientId("alice");
        return List.of(
                new Kind("authentication-failure",
                        a -> a.authenticationFailed(ADDRESS, AuditLog.FailureReason.UNKNOWN_KEY, "req\"1\n"),
                        List.of("address", "reason", "requestId")),
                new Kind("throttle-start", a -> a.throttleStarted(ADDRESS, 10, Duration.ofMinutes(5)),
                        List.of("address", "coolDownSeconds", "failures")),
                new Kind("throttle-end", a -> a.throttleEnded(ADDRESS, 3), List.of("address", "refused")),
                new Kind("quota-warning", a -> a.quotaWarning(client, 8000, 10000), List.of("client", "quota", "used")),
                new Kind("quota-exhausted", a -> a.quotaExhausted(client, 10000, 60),
                        List.of("client", "quota", "retryAfterSeconds")),
                new Kind("keys-reload", a -> a.keysReloaded(1, 2, 3, 4), List.of("added", "clients", "keys", "removed")));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void eachEventIsExactlyOneJsonLineWithTheDocumentedFields(Kind kind) {
        AuditLog audit = new AuditLog(Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC));
        try (LogCapture capture = LogCapture.of(AuditLog.LOGGER_NAME)) {
            kind.write().accept(audit);
            assertThat(capture.messages()).hasSize(1);
            String line = capture.messages().get(0);
            assertThat(line).doesNotContain("\n");
            JsonNode json = JSON.readTree(line);
            assertThat(json.get("time").asString()).isEqualTo("2025-01-02T03:04:05Z");
            assertThat(json.get("audit").asString()).isEqualTo(kind.name());
            List<String> names = json.propertyNames().stream().toList();
            assertThat(names).containsExactlyElementsOf(
                    java.util.stream.Stream.concat(java.util.stream.Stream.of("time", "audit"), kind.fields().stream())
                            .toList());
        }
    }

    @org.junit.jupiter.api.Test
    void theAuditLoggerDoesNotFeedTheRegularLogs() {
        // Non-additive once installed: audit lines reach only their own appender.
        AuditAppender.install();
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AuditLog.LOGGER_NAME);
        assertThat(logger.isAdditive()).isFalse();
        assertThat(logger.getAppender(AuditAppender.NAME)).isNotNull();
    }
}
