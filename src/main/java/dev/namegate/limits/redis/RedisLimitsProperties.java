package dev.namegate.limits.redis;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * The shared limit store, used when {@code namegate.limits.store=redis}. Two replicas on one
 * machine need nothing but the store choice and {@link #url}; production adds TLS, a password and
 * the id key, and the start warns of each one missing ({@link #productionGaps}).
 *
 * @param url {@code namegate.limits.redis.url}: {@code redis://host:port} or, with TLS,
 *     {@code rediss://host:port}; a user may be named ({@code rediss://namegate@host:6380}), a
 *     password may not: it belongs in {@link #passwordFile} (default {@code redis://127.0.0.1:6379})
 * @param passwordFile {@code namegate.limits.redis.password-file}: file holding the password (a
 *     mounted Secret; surrounding white space ignored); none by default
 * @param idKeyFile {@code namegate.limits.redis.id-key-file}: file holding the secret (at least 32
 *     characters, the same on every replica) with which user ids are keyed before they are stored,
 *     so Redis never holds in clear which client read which user; none by default, then a built-in
 *     key is used, which hides nothing from whoever reads this source
 * @param timeout {@code namegate.limits.redis.timeout}: how long one call may take before this
 *     request is decided by the replica's own memory instead (default 10 ms; 1 to 50 ms, so a slow
 *     Redis never spends the 100 ms budget)
 * @param retryInterval {@code namegate.limits.redis.retry-interval}: while Redis fails, how often
 *     one request tries it again; every other request is decided in memory at once (default 1 s)
 * @param connectTimeout {@code namegate.limits.redis.connect-timeout}: TCP and TLS connect
 *     timeout, off the request path (default 1 s)
 * @param keyPrefix {@code namegate.limits.redis.key-prefix}: prefix of every key, so one Redis can
 *     serve several deployments (default {@code namegate:})
 */
@Validated
@ConfigurationProperties("namegate.limits.redis")
public record RedisLimitsProperties(
        @NotNull @DefaultValue("redis://127.0.0.1:6379") URI url,
        Path passwordFile,
        Path idKeyFile,
        @NotNull @DefaultValue("10ms") Duration timeout,
        @NotNull @DefaultValue("1s") Duration retryInterval,
        @NotNull @DefaultValue("1s") Duration connectTimeout,
        @NotBlank @DefaultValue("namegate:") String keyPrefix) {

    private static final Duration MAX_TIMEOUT = Duration.ofMillis(50);

    public RedisLimitsProperties {
        if (url != null) {
            String scheme = url.getScheme();
            if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
                throw new IllegalArgumentException("namegate.limits.redis.url must start with redis:// or rediss://");
            }
            if (url.getHost() == null) {
                throw new IllegalArgumentException("namegate.limits.redis.url names no host");
            }
            String userInfo = url.getRawUserInfo();
            if (userInfo != null && userInfo.contains(":")) {
                // never echo the URL: it holds the password
                throw new IllegalArgumentException("namegate.limits.redis.url must not hold a password;"
                        + " put it in the file named by namegate.limits.redis.password-file");
            }
        }
        positive("namegate.limits.redis.timeout", timeout);
        positive("namegate.limits.redis.retry-interval", retryInterval);
        positive("namegate.limits.redis.connect-timeout", connectTimeout);
        if (timeout != null && (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0)) {
            throw new IllegalArgumentException("namegate.limits.redis.timeout (" + timeout
                    + ") must be between 1 ms and " + MAX_TIMEOUT.toMillis() + " ms");
        }
        if (timeout != null && retryInterval != null && retryInterval.compareTo(timeout) <= 0) {
            throw new IllegalArgumentException("namegate.limits.redis.retry-interval (" + retryInterval
                    + ") must be longer than namegate.limits.redis.timeout (" + timeout + ")");
        }
    }

    private static void positive(String name, Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** Whether the connection is encrypted ({@code rediss://}). */
    public boolean tls() {
        return "rediss".equals(url.getScheme());
    }

    /** What a production deployment should set and has not, one sentence each naming the property. */
    public List<String> productionGaps() {
        List<String> gaps = new ArrayList<>();
        if (!tls()) {
            gaps.add("namegate.limits.redis.url is not rediss://: limits and keyed ids travel unencrypted");
        }
        if (passwordFile == null) {
            gaps.add("namegate.limits.redis.password-file is not set: Redis is used without a password");
        }
        if (idKeyFile == null) {
            gaps.add("namegate.limits.redis.id-key-file is not set: user ids are keyed with a built-in key,"
                    + " which anybody who reads Redis and this source can undo");
        }
        return gaps;
    }
}
