package dev.namegate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.Client;
import dev.namegate.auth.ClientId;
import dev.namegate.auth.ClientLimits;
import dev.namegate.limits.ClientLimitStore.QuotaDecision;
import dev.namegate.limits.ClientLimitStore.QuotaDecision.Verdict;
import dev.namegate.limits.ClientLimitStore.RateDecision;
import dev.namegate.testing.LogCapture;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The store in virtual time: a nanosecond counter the test moves, never a sleep. */
class InMemoryClientLimitStoreTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final InetAddress ATTACKER = SourceAddressesTest.ip("198.51.100.9");
    private static final InetAddress OTHER = SourceAddressesTest.ip("198.51.100.10");

    private final AtomicLong now = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
    private final LogCapture audit = LogCapture.of(AuditLog.LOGGER_NAME);
    private final LimitsProperties properties = new LimitsProperties(
            new LimitsProperties.Rate(50, 100),
            new LimitsProperties.Quota(10, Duration.ofHours(24), 0.8, 25),
            new LimitsProperties.BruteForce(10, Duration.ofMinutes(1), Duration.ofMinutes(5), 1_000),
            List.of(), true);
    private final InMemoryClientLimitStore store = new InMemoryClientLimitStore(properties,
            new AuditLog(Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC)), now::get);

    @AfterEach
    void stopCapture() {
        audit.close();
    }

    private static Client client(String id, ClientLimits limits) {
        return new Client(new ClientId(id), limits);
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    private List<JsonNode> auditLines() {
        return audit.messages().stream().map(JSON::readTree).toList();
    }

    @Test
    void theDefaultBucketAllowsABurstOf100ThenRefillsAt50PerSecond() {
        Client alice = client("alice", ClientLimits.DEFAULTS);
        RateDecision first = store.consume(alice);
        assertThat(first).isEqualTo(new RateDecision(true, 100, 2, 99, 1, 1));
        for (int i = 1; i < 100; i++) {
            assertThat(store.consume(alice).allowed()).isTrue();
        }
        RateDecision refused = store.consume(alice);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.resetSeconds()).as("2 s to refill 100 at 50/s").isEqualTo(2);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);

        advance(Duration.ofMillis(20)); // one token at 50/s
        assertThat(store.consume(alice).allowed()).isTrue();
        assertThat(store.consume(alice).allowed()).isFalse();

        advance(Duration.ofSeconds(2));
        assertThat(store.consume(alice).remaining()).as("full again, minus this one").isEqualTo(99);
    }

    @Test
    void keysFileAttributesOverrideRateAndBurstAndAChangeRebuildsTheBucket() {
        ClientLimits slow = new ClientLimits(OptionalDouble.of(0.5), OptionalInt.of(2), OptionalInt.empty());
        Client bob = client("bob", slow);
        assertThat(store.consume(bob)).isEqualTo(new RateDecision(true, 2, 4, 1, 2, 1));
        assertThat(store.consume(bob).allowed()).isTrue();
        RateDecision refused = store.consume(bob);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).as("one token per 2 s").isEqualTo(2);

        Client reloaded = client("bob", new ClientLimits(OptionalDouble.of(10), OptionalInt.of(5), OptionalInt.empty()));
        RateDecision afterReload = store.consume(reloaded);
        assertThat(afterReload.allowed()).isTrue();
        assertThat(afterReload.limit()).isEqualTo(5);
        assertThat(afterReload.windowSeconds()).isEqualTo(1);
    }

    @Test
    void clientsHaveSeparateBuckets() {
        ClientLimits one = new ClientLimits(OptionalDouble.of(1), OptionalInt.of(1), OptionalInt.empty());
        assertThat(store.consume(client("a", one)).allowed()).isTrue();
        assertThat(store.consume(client("a", one)).allowed()).isFalse();
        assertThat(store.consume(client("b", one)).allowed()).isTrue();
    }

    @Test
    void theQuotaStopsNewIdsWarnsOnceAt80PercentAndAuditsExhaustionOnce() {
        Client scraper = client("scraper", ClientLimits.DEFAULTS);
        for (long id = 1; id <= 10; id++) {
            assertThat(store.admit(scraper, id).allowed()).isTrue();
        }
        QuotaDecision refused = store.admit(scraper, 11);
        assertThat(refused.verdict()).isEqualTo(Verdict.OVER_QUOTA);
        assertThat(refused.retryAfterSeconds()).isEqualTo(Duration.ofHours(24).toSeconds());
        assertThat(store.admit(scraper, 12).allowed()).isFalse();
        assertThat(store.admit(scraper, 5).allowed()).as("re-reading a counted id is free").isTrue();
        assertThat(store.admit(client("other", ClientLimits.DEFAULTS), 11).allowed()).isTrue();

        List<JsonNode> lines = auditLines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("audit").asString()).isEqualTo("quota-warning");
        assertThat(lines.get(0).get("client").asString()).isEqualTo("scraper");
        assertThat(lines.get(0).get("used").asInt()).isEqualTo(8);
        assertThat(lines.get(0).get("quota").asInt()).isEqualTo(10);
        assertThat(lines.get(1).get("audit").asString()).isEqualTo("quota-exhausted");
        assertThat(lines.get(1).get("retryAfterSeconds").asLong()).isEqualTo(86_400);

        advance(Duration.ofHours(24));
        assertThat(store.admit(scraper, 11).allowed()).as("the window rolled on").isTrue();
    }

    @Test
    void theReplicaTracksAtMostMaxTrackedIdsOverAllClientsAndAnswersReplicaFullBeyond() {
        Client a = client("a", ClientLimits.DEFAULTS);
        Client b = client("b", ClientLimits.DEFAULTS);
        Client late = client("late", ClientLimits.DEFAULTS);
        for (long id = 1; id <= 10; id++) {
            assertThat(store.admit(a, id).allowed()).isTrue();
            assertThat(store.admit(b, id).allowed()).isTrue();
        }
        advance(Duration.ofHours(1));
        for (long id = 1; id <= 5; id++) {
            assertThat(store.admit(late, id).allowed()).isTrue();
        }
        assertThat(store.trackedIds()).isEqualTo(25);

        try (LogCapture log = LogCapture.of(InMemoryClientLimitStore.class.getName())) {
            QuotaDecision full = store.admit(late, 6);
            assertThat(full.verdict()).as("25 ids tracked: no room for a 26th, and not late's fault")
                    .isEqualTo(Verdict.REPLICA_FULL);
            assertThat(full.used()).isEqualTo(5);
            assertThat(full.retryAfterSeconds()).as("the next sweep may find room, not a day").isEqualTo(1);
            QuotaDecision fresh = store.admit(client("fresh", ClientLimits.DEFAULTS), 1);
            assertThat(fresh.verdict()).as("a client with no ids is not over its quota").isEqualTo(Verdict.REPLICA_FULL);
            assertThat(fresh.retryAfterSeconds()).isEqualTo(1);
            assertThat(store.admit(late, 7).allowed()).isFalse();
            assertThat(store.replicaFullRefusals()).isEqualTo(3);
            assertThat(log.events()).as("one WARN per episode").singleElement().satisfies(e -> assertThat(
                    e.getFormattedMessage()).contains("namegate.limits.quota.max-tracked-ids", "25"));
        }
        assertThat(auditLines()).as("no quota-exhausted event: no client used up its quota")
                .extracting(l -> l.get("audit").asString()).doesNotContain("quota-exhausted");
        assertThat(store.admit(late, 3).allowed()).as("counted ids stay readable").isTrue();
        assertThat(store.admit(a, 4).allowed()).isTrue();
        assertThat(store.trackedIds()).isEqualTo(25);

        advance(Duration.ofHours(23)); // a's and b's ids leave the window, and their memory with them
        assertThat(store.admit(late, 6).allowed()).isTrue();
        assertThat(store.trackedIds()).isEqualTo(6);
    }

    @Test
    void tenFailuresInAMinuteThrottleTheAddressForTheCoolDownThenItMayTryAgain() {
        for (int i = 0; i < 9; i++) {
            store.authenticationFailed(ATTACKER);
            advance(Duration.ofSeconds(1));
        }
        assertThat(store.throttled(ATTACKER)).isZero();
        store.authenticationFailed(ATTACKER);
        assertThat(store.throttled(ATTACKER)).isEqualTo(Duration.ofMinutes(5));
        assertThat(store.throttled(OTHER)).as("other addresses unaffected").isZero();

        advance(Duration.ofMinutes(5).minusNanos(1));
        assertThat(store.throttled(ATTACKER)).isEqualTo(Duration.ofNanos(1));
        advance(Duration.ofNanos(1));
        assertThat(store.throttled(ATTACKER)).isZero();
        assertThat(store.throttled(ATTACKER)).isZero();

        List<JsonNode> lines = auditLines();
        assertThat(lines).extracting(l -> l.get("audit").asString()).containsExactly("throttle-start", "throttle-end");
        assertThat(lines.get(0).get("address").asString()).isEqualTo("198.51.100.9");
        assertThat(lines.get(0).get("failures").asInt()).isEqualTo(10);
        assertThat(lines.get(0).get("coolDownSeconds").asLong()).isEqualTo(300);
        assertThat(lines.get(1).get("refused").asLong()).isEqualTo(2);
    }

    @Test
    void failuresSpreadOverMoreThanAMinuteDoNotThrottle() {
        for (int i = 0; i < 30; i++) {
            store.authenticationFailed(ATTACKER);
            advance(Duration.ofSeconds(7));
        }
        assertThat(store.throttled(ATTACKER)).isZero();
        assertThat(audit.messages()).isEmpty();
    }

    @Test
    void aThrottleWhoseAddressNeverReturnsEndsWhenItsRecordExpires() {
        for (int i = 0; i < 10; i++) {
            store.authenticationFailed(ATTACKER);
        }
        advance(Duration.ofMinutes(6));
        store.cleanUp();
        assertThat(audit.messages()).hasSize(2);
        assertThat(auditLines().get(1).get("audit").asString()).isEqualTo("throttle-end");
        assertThat(store.trackedAddresses()).isZero();
    }

    @Test
    void sprayedAddressesCannotGrowMemoryPastTheBound() {
        for (int i = 0; i < 5_000; i++) {
            store.authenticationFailed(SourceAddressesTest.ip("10.0." + (i / 256) + "." + (i % 256)));
        }
        assertThat(store.trackedAddresses()).isLessThanOrEqualTo(1_000);
    }

    @Test
    void ipv6AddressesAreThrottledByTheir64BitPrefix() {
        for (int i = 0; i < 10; i++) {
            store.authenticationFailed(SourceAddressesTest.ip("2001:db8:1:2::" + Integer.toHexString(i + 1)));
        }
        assertThat(store.throttled(SourceAddressesTest.ip("2001:db8:1:2::ffff"))).isPositive();
        assertThat(store.throttled(SourceAddressesTest.ip("2001:db8:1:3::1"))).isZero();
    }
}
