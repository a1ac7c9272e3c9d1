package dev.namegate.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How namegate talks to the internal user service. Every number of the retry story lives here;
 * the defaults fit a 100 ms answer budget against an internal service on a fast network.
 * Cross-field rules (each per-attempt timeout shorter than the deadline, and so on) are checked
 * when the record is built, so an inconsistent setting stops the start with the property's name.
 *
 * @param baseUrls internal service instances ({@code INTERNAL_BASE_URL}, comma-separated)
 * @param connectTimeout TCP connect limit per attempt (default 5 ms)
 * @param responseTimeout time from request sent to response headers per attempt (default 25 ms)
 * @param attemptTimeout whole-attempt limit: pool acquisition, connect, headers and body (default 30 ms)
 * @param deadline overall limit for one public request, retries included (default 90 ms)
 * @param minAttemptTime an attempt is not started with less time than this left (default 2 ms)
 * @param unavailableRetryAfter the {@code Retry-After} we send with a 503 of our own (default 1 s)
 * @param maxBodySize largest upstream body we read (default 16 KB)
 * @param backoff delay between attempts
 * @param allowances retries allowed per kind of failure
 * @param pool the connection pool toward the internal service
 * @param warmup what is done before readiness turns green
 */
@Validated
@ConfigurationProperties("namegate.upstream")
public record UpstreamProperties(
        @NotEmpty(message = "set INTERNAL_BASE_URL (namegate.upstream.base-urls): the internal user service's base URL(s)")
        List<URI> baseUrls,
        @NotNull @DefaultValue("5ms") Duration connectTimeout,
        @NotNull @DefaultValue("25ms") Duration responseTimeout,
        @NotNull @DefaultValue("30ms") Duration attemptTimeout,
        @NotNull @DefaultValue("90ms") Duration deadline,
        @NotNull @DefaultValue("2ms") Duration minAttemptTime,
        @NotNull @DefaultValue("1s") Duration unavailableRetryAfter,
        @NotNull @DefaultValue("16KB") DataSize maxBodySize,
        @Valid @NotNull @DefaultValue Backoff backoff,
        @Valid @NotNull @DefaultValue Allowances allowances,
        @Valid @NotNull @DefaultValue Pool pool,
        @Valid @NotNull @DefaultValue Warmup warmup) {

    public UpstreamProperties {
        if (baseUrls != null) {
            baseUrls = List.copyOf(baseUrls);
            for (URI url : baseUrls) {
                if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                    throw new IllegalArgumentException("namegate.upstream.base-urls: not an http(s) URL with a host: " + url);
                }
                if (url.getRawQuery() != null || url.getRawFragment() != null) {
                    throw new IllegalArgumentException("namegate.upstream.base-urls: no query or fragment allowed: " + url);
                }
            }
        }
        requirePositive("connect-timeout", connectTimeout);
        requirePositive("response-timeout", responseTimeout);
        requirePositive("attempt-timeout", attemptTimeout);
        requirePositive("deadline", deadline);
        requireShorter("connect-timeout", connectTimeout, "attempt-timeout", attemptTimeout);
        requireShorter("response-timeout", responseTimeout, "attempt-timeout", attemptTimeout);
        requireShorter("attempt-timeout", attemptTimeout, "deadline", deadline);
        requireShorter("min-attempt-time", minAttemptTime, "deadline", deadline);
        if (backoff != null) {
            requireShorter("backoff.cap", backoff.cap(), "deadline", deadline);
        }
        if (pool != null) {
            requireShorter("pool.pending-acquire-timeout", pool.pendingAcquireTimeout(), "attempt-timeout",
                    attemptTimeout.plusNanos(1));
        }
    }

    /**
     * Exponential backoff with full jitter: before retry n (0-based) wait a random time between 0
     * and {@code min(cap, base * 2^n)}.
     *
     * @param base first backoff ceiling (default 2 ms)
     * @param cap largest backoff ceiling (default 16 ms)
     * @param jitter false only for tests that need exact delays
     */
    public record Backoff(
            @NotNull @DefaultValue("2ms") Duration base,
            @NotNull @DefaultValue("16ms") Duration cap,
            @DefaultValue("true") boolean jitter) {

        public Backoff {
            if (base != null && cap != null) {
                if (base.isNegative() || cap.isNegative()) {
                    throw new IllegalArgumentException("namegate.upstream.backoff: base and cap must not be negative");
                }
                if (base.compareTo(cap) > 0) {
                    throw new IllegalArgumentException("namegate.upstream.backoff.base (" + base
                            + ") must not exceed namegate.upstream.backoff.cap (" + cap + ")");
                }
            }
        }
    }

    /**
     * Retries allowed per kind of failure, as on the story's Day 5; the deadline bounds the total.
     *
     * @param connectFailures connects that failed or timed out (default 10)
     * @param responseTimeouts attempts without a response in time (default 3)
     * @param connectionsClosed connections closed before a response (default 3)
     * @param statuses transient 5xx and 429 answers (default 8)
     */
    public record Allowances(
            @Min(0) @DefaultValue("10") int connectFailures,
            @Min(0) @DefaultValue("3") int responseTimeouts,
            @Min(0) @DefaultValue("3") int connectionsClosed,
            @Min(0) @DefaultValue("8") int statuses) {
    }

    /**
     * The connection pool toward the internal service. Acquisition is bounded so a saturated pool
     * fails an attempt fast instead of quietly eating the deadline.
     *
     * @param maxConnections per instance (default 500)
     * @param pendingAcquireTimeout wait for a pooled connection (default 10 ms)
     * @param pendingAcquireMaxCount waiters per instance beyond which acquisition fails at once (default 1000)
     * @param maxIdleTime idle connections are closed after this (default 30 s)
     */
    public record Pool(
            @Min(1) @DefaultValue("500") int maxConnections,
            @NotNull @DefaultValue("10ms") Duration pendingAcquireTimeout,
            @Min(1) @DefaultValue("1000") int pendingAcquireMaxCount,
            @NotNull @DefaultValue("30s") Duration maxIdleTime) {
    }

    /**
     * Warm-up before readiness: concurrent lookups that prime the pool and the code paths.
     *
     * @param requests lookups sent (default 32; 0 switches warm-up off)
     * @param userId the id looked up (default 1)
     */
    public record Warmup(@Min(0) @DefaultValue("32") int requests, @Min(1) @DefaultValue("1") long userId) {
    }

    private static void requirePositive(String name, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new IllegalArgumentException("namegate.upstream." + name + " must be positive, was " + value);
        }
    }

    private static void requireShorter(String shorter, Duration a, String longer, Duration b) {
        if (a != null && b != null && a.compareTo(b) >= 0) {
            throw new IllegalArgumentException("namegate.upstream." + shorter + " (" + a
                    + ") must be shorter than namegate.upstream." + longer + " (" + b + ")");
        }
    }
}
