package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BiPredicate;

import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;
import reactor.netty.Connection;
import reactor.netty.resources.ConnectionProvider.ConnectionMetadata;

/** The pool's eviction rule, our own class: Reactor Netty's default rule with the idle time. */
class PoolEvictionRuleTest {

    private final BiPredicate<Connection, ConnectionMetadata> rule =
            UpstreamClientConfiguration.closedOrIdleFor(Duration.ofSeconds(55));

    @Test
    void anOpenKeptAliveConnectionIdleUnderTheMaxIdleTimeStays() {
        assertThat(rule.test(Connection.from(new EmbeddedChannel()), idleFor(54_999))).isFalse();
    }

    @Test
    void oneIdleForTheMaxIdleTimeGoes() {
        assertThat(rule.test(Connection.from(new EmbeddedChannel()), idleFor(55_000))).isTrue();
    }

    @Test
    void aClosedConnectionGoesHoweverFresh() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.close();
        assertThat(rule.test(Connection.from(channel), idleFor(0))).isTrue();
    }

    @Test
    void oneTheExchangeMarkedNotToKeepGoesHoweverFresh() {
        Connection connection = Connection.from(new EmbeddedChannel());
        connection.markPersistent(false);
        assertThat(rule.test(connection, idleFor(0))).isTrue();
    }

    private static ConnectionMetadata idleFor(long millis) {
        return new ConnectionMetadata() {
            @Override
            public int acquireCount() {
                return 1;
            }

            @Override
            public long idleTime() {
                return millis;
            }

            @Override
            public long lifeTime() {
                return millis;
            }

            @Override
            public long releaseTimestamp() {
                return 0;
            }

            @Override
            public long allocationTimestamp() {
                return 0;
            }
        };
    }
}
