package dev.namegate.limits.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared store's settings: what the start refuses, naming the property, and what it warns of. */
class RedisLimitsPropertiesTest {

    private static RedisLimitsProperties with(String url, Duration timeout, Duration retryInterval) {
        return new RedisLimitsProperties(URI.create(url), null, null, timeout, retryInterval, Duration.ofSeconds(1),
                "namegate:");
    }

    @Test
    void aPasswordInTheUrlIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> with("redis://:hunter2@redis:6379", Duration.ofMillis(10), Duration.ofSeconds(1)))
                .hasMessageContaining("namegate.limits.redis.url").hasMessageContaining("password-file")
                .hasMessageNotContaining("hunter2");
        assertThat(with("rediss://namegate@redis:6380", Duration.ofMillis(10), Duration.ofSeconds(1)).tls()).isTrue();
    }

    @Test
    void onlyRedisAndRedissUrlsWithAHostAreAccepted() {
        assertThatThrownBy(() -> with("http://redis:6379", Duration.ofMillis(10), Duration.ofSeconds(1)))
                .hasMessageContaining("redis:// or rediss://");
        assertThatThrownBy(() -> with("redis:///0", Duration.ofMillis(10), Duration.ofSeconds(1)))
                .hasMessageContaining("names no host");
    }

    @Test
    void aTimeoutThatWouldSpendTheBudgetOrARetryNoLongerThanItIsRefused() {
        assertThatThrownBy(() -> with("redis://redis:6379", Duration.ofMillis(51), Duration.ofSeconds(1)))
                .hasMessage("namegate.limits.redis.timeout (PT0.051S) must be between 1 ms and 50 ms");
        assertThatThrownBy(() -> with("redis://redis:6379", Duration.ofMillis(10), Duration.ofMillis(10)))
                .hasMessageContaining("namegate.limits.redis.retry-interval (PT0.01S) must be longer than"
                        + " namegate.limits.redis.timeout");
    }

    @Test
    void eachMissingProductionSettingIsOneWarningNamingItsProperty() {
        assertThat(with("redis://redis:6379", Duration.ofMillis(10), Duration.ofSeconds(1)).productionGaps())
                .hasSize(3).anySatisfy(g -> assertThat(g).startsWith("namegate.limits.redis.url is not rediss://"))
                .anySatisfy(g -> assertThat(g).startsWith("namegate.limits.redis.password-file is not set"))
                .anySatisfy(g -> assertThat(g).startsWith("namegate.limits.redis.id-key-file is not set"));
        RedisLimitsProperties production = new RedisLimitsProperties(URI.create("rediss://redis:6380"),
                Path.of("/etc/namegate/redis/password"), Path.of("/etc/namegate/redis/id-key"), Duration.ofMillis(10),
                Duration.ofSeconds(1), Duration.ofSeconds(1), "namegate:");
        assertThat(production.productionGaps()).isEmpty();
    }

    @Test
    void anIdKeyShorterThan32CharactersIsRefused(@TempDir Path dir) throws IOException {
        Path key = Files.writeString(dir.resolve("id-key"), "too short\n");
        assertThatThrownBy(() -> IdKeying.from(key))
                .hasMessage("namegate.limits.redis.id-key-file must hold at least 32 characters (it holds 9)");
    }
}
