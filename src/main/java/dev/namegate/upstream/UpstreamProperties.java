package dev.namegate.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
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
 * @param maxRetryAfter the longest {@code Retry-After} of the internal service we accept and pass
 *     on; longer ones, far-future dates and huge numbers are cut to it (default 60 s, 1 s to 1 h)
 * @param maxBodySize largest upstream body we read (default 16 KB)
 * @param backoff delay between attempts
 * @param allowances retries allowed per kind of failure
 * @param pool the connection pool toward the internal service
 * @param budget how many retries and hedges the traffic earns
 * @param breaker when to stop calling an internal service that nearly always fails
 * @param rateLimit our adaptive pace toward the internal service's rate limit
 * @param hedging extra attempts for answers that are late
 * @param outliers when an instance is taken out of rotation
 *
 * <p>Longer than most classes: it is the one source of every upstream default, with the units and the consistency checks next to each.
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
        @NotNull @DurationMin(seconds = 1) @DurationMax(hours = 1) @DefaultValue("60s") Duration maxRetryAfter,
        @NotNull @DefaultValue("16KB") DataSize maxBodySize,
        @Valid @NotNull @DefaultValue Backoff backoff,
        @Valid @NotNull @DefaultValue Allowances allowances,
        @Valid @NotNull @DefaultValue Pool pool,
        @Valid @NotNull @DefaultValue Budget budget,
        @Valid @NotNull @DefaultValue Breaker breaker,
        @Valid @NotNull @DefaultValue RateLimit rateLimit,
        @Valid @NotNull @DefaultValue Hedging hedging,
        @Valid @NotNull @DefaultValue Outliers outliers) {

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
        if (hedging != null && hedging.enabled()) {
            requireShorter("hedging.delay", hedging.delay(), "deadline", deadline);
        }
        if (pool != null) {
            requireShorter("pool.pending-acquire-timeout", pool.pendingAcquireTimeout(), "attempt-timeout",
                    attemptTimeout.plusNanos(1));
        }
        // our own Retry-After values stay within the cap too
        requireAtMostMaxRetryAfter("unavailable-retry-after", unavailableRetryAfter, maxRetryAfter);
        if (breaker != null) {
            requireAtMostMaxRetryAfter("breaker.open-for", breaker.openFor(), maxRetryAfter);
        }
    }

    /**
     * The defaults written on this record, with no instance of the internal service: the one
     * source of each default for code that builds its parts without Spring (tests, builders).
     */
    public static UpstreamProperties defaults() {
        return new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("namegate.upstream", UpstreamProperties.class);
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
     * Retries allowed per kind of failure (many for connects to dead instances, few for timeouts);
     * the deadline bounds the total.
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
     * @param maxIdleTime idle connections are closed after this, when next taken or at the next
     *        eviction (default 55 s): long enough that a replica's lull of under a minute does not
     *        make its next burst reconnect every connection at once, short of the 60 s after which
     *        many servers and load balancers close an idle connection, so the pool closes it first
     *        and no request goes out on a connection the other end is closing
     * @param evictionInterval how often connections idle longer than {@code maxIdleTime} are closed
     *        though no attempt takes them (default 10 s)
     * @param leasing which idle connection an attempt takes (default {@code lifo}, the one idle least)
     */
    public record Pool(
            @Min(1) @DefaultValue("500") int maxConnections,
            @NotNull @DefaultValue("10ms") Duration pendingAcquireTimeout,
            @Min(1) @DefaultValue("1000") int pendingAcquireMaxCount,
            @NotNull @DefaultValue("55s") Duration maxIdleTime,
            @NotNull @DefaultValue("10s") Duration evictionInterval,
            @NotNull @DefaultValue("lifo") Leasing leasing) {

        public Pool {
            requirePositive("pool.max-idle-time", maxIdleTime);
            requirePositive("pool.eviction-interval", evictionInterval);
        }
    }

    /** Which idle connection to the internal service an attempt takes. */
    public enum Leasing {
        /**
         * The one that went idle last: as many connections stay in use as attempts are in
         * flight, and those a burst or a cold start opened beyond them idle out. Taken in turn,
         * every one of them stays open and each attempt works on one that has left the caches.
         */
        LIFO,
        /** The one idle longest: every open connection is used in turn. */
        FIFO
    }

    /**
     * Retry budget (Finagle style): retries and hedges may add at most {@code ratio} times the
     * first attempts over the window, plus {@code minPerSecond}.
     *
     * @param enabled false = retries are bounded by the allowances and the deadline only
     * @param ratio extra attempts per first attempt (default 1.5: a 50% flaky upstream needs about 1)
     * @param minPerSecond extra attempts always allowed per second (default 10)
     * @param window sliding window, whole seconds (default 10 s)
     */
    public record Budget(
            @DefaultValue("true") boolean enabled,
            @PositiveOrZero @DefaultValue("1.5") double ratio,
            @PositiveOrZero @DefaultValue("10") double minPerSecond,
            @NotNull @DefaultValue("10s") Duration window) {
    }

    /**
     * Circuit breaker over attempts (resilience4j): opens when nearly every attempt fails, lets a
     * few probes through after {@code openFor}, closes when they succeed.
     *
     * @param enabled false = never open
     * @param failureRateThreshold percent of failed attempts that opens it (default 90)
     * @param window attempts it looks back over (default 50)
     * @param minimumAttempts attempts needed before it may open (default 20)
     * @param openFor time it stays open before probing (default 1 s)
     * @param probes attempts let through while half-open (default 3)
     */
    public record Breaker(
            @DefaultValue("true") boolean enabled,
            @DecimalMin("1") @DecimalMax("100")
            @DefaultValue("90") float failureRateThreshold,
            @Min(1) @DefaultValue("50") int window,
            @Min(1) @DefaultValue("20") int minimumAttempts,
            @NotNull @DefaultValue("1s") Duration openFor,
            @Min(1) @DefaultValue("3") int probes) {
    }

    /**
     * Adaptive pace toward the internal service: a 429 cuts the rate (to just above the recent
     * demand when the 429 came from a burst, by {@code decreaseFactor} when the rate itself is too
     * high); success raises it by {@code recoveryPerSecond} up to just under the rate of the last
     * 429, then by {@code probePerSecond} beyond, up to {@code ceiling}. Once no 429 has come for
     * {@code forgetAfter}, that plateau is forgotten and the rate grows by {@code growthPerSecond}
     * each second (while the traffic uses at least half of it), so a lifted limit is found within
     * seconds. Once no 429 has come for {@code releaseAfter}, pacing is lifted: the rate returns to
     * {@code ceiling}, as at start. A cut never goes below the demand of the last {@code demandWindow}
     * unless the rate itself is what the internal service refuses. Attempts that cannot get a permit
     * before the deadline fail fast (503).
     *
     * @param enabled false = no pacing
     * @param ceiling highest rate, requests/s (default 100,000: no pacing until a 429 says so; set it
     *        to the internal service's limit, or this replica's share of it, to pace from the start)
     * @param floor lowest rate, requests/s (default 5)
     * @param decreaseFactor multiplier when the rate itself is too high (default 0.7)
     * @param recoveryPerSecond rate regained per second of success below the last 429's rate (default 50)
     * @param probePerSecond rate added per second of success above it (default 2: probing slowly,
     *        so a rate just under the limit is not lost to a 429 every second)
     * @param burst permits that may go at once after a quiet spell (default 2: with demand near the
     *        limit, strictly even spacing makes attempts queue for permits as in an M/D/1 queue, tens
     *        of milliseconds at 85% of the limit; a pair at once halves that and still leaves a
     *        limiter that allows any burst at all room for jitter on the way; 1 for an internal
     *        service that allows none)
     * @param decreaseCooldown 429s within this time of a cut count as one (default 200 ms)
     * @param forgetAfter time without any 429 after which the last 429's rate is forgotten and the
     *        rate grows again: by a fifth of that rate per second up to a tenth above it, then
     *        multiplicatively (default 3 s)
     * @param growthPerSecond factor the rate grows by per second once forgotten (default 2: doubling,
     *        like TCP's slow start); a 429 during that growth goes back to the rate that held
     * @param demandWindow the demand a cut respects is the larger of the last second's and this
     *        window's average of permits sent per second (default 5 s), so one quiet second before
     *        a 429 cannot slash the rate
     * @param releaseAfter time without any 429 after which the rate returns to {@code ceiling}
     *        (default 30 s): after an incident the rate stays near the demand it last saw, and a
     *        demand that then rises faster than the rate grows would wait for permits because of
     *        an incident long over; longer than {@code forgetAfter}
     */
    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            @Positive @DefaultValue("100000") double ceiling,
            @Positive @DefaultValue("5") double floor,
            @DecimalMin(value = "0", inclusive = false)
            @DecimalMax(value = "1", inclusive = false)
            @DefaultValue("0.7") double decreaseFactor,
            @PositiveOrZero @DefaultValue("50") double recoveryPerSecond,
            @PositiveOrZero @DefaultValue("2") double probePerSecond,
            @DecimalMin("1") @DefaultValue("2") double burst,
            @NotNull @DefaultValue("200ms") Duration decreaseCooldown,
            @NotNull @DefaultValue("3s") Duration forgetAfter,
            @DecimalMin(value = "1", inclusive = false) @DecimalMax("16") @DefaultValue("2") double growthPerSecond,
            @NotNull @DefaultValue("5s") Duration demandWindow,
            @NotNull @DefaultValue("30s") Duration releaseAfter) {

        public RateLimit {
            if (floor > ceiling) {
                throw new IllegalArgumentException("namegate.upstream.rate-limit.floor (" + floor
                        + ") must not exceed namegate.upstream.rate-limit.ceiling (" + ceiling + ")");
            }
            if (forgetAfter != null && decreaseCooldown != null && forgetAfter.compareTo(decreaseCooldown) <= 0) {
                throw new IllegalArgumentException("namegate.upstream.rate-limit.forget-after (" + forgetAfter
                        + ") must be longer than namegate.upstream.rate-limit.decrease-cooldown (" + decreaseCooldown + ")");
            }
            if (demandWindow != null && (demandWindow.compareTo(Duration.ofSeconds(1)) < 0
                    || demandWindow.compareTo(Duration.ofMinutes(1)) > 0)) {
                throw new IllegalArgumentException("namegate.upstream.rate-limit.demand-window must be between 1s and 1m, was "
                        + demandWindow);
            }
            if (releaseAfter != null && forgetAfter != null && releaseAfter.compareTo(forgetAfter) <= 0) {
                throw new IllegalArgumentException("namegate.upstream.rate-limit.release-after (" + releaseAfter
                        + ") must be longer than namegate.upstream.rate-limit.forget-after (" + forgetAfter + ")");
            }
        }
    }

    /**
     * Hedged requests: when an attempt has not answered after {@code delay}, another one is sent;
     * the first good answer wins and the others are cancelled.
     *
     * @param enabled false = one attempt at a time
     * @param delay time without an answer before the next hedge; with {@code adaptive}, the
     *        shortest such time (default 8 ms)
     * @param maxHedges hedges per request (default 8, so up to 9 attempts fit the deadline)
     * @param adaptive raise the delay to the {@code percentile} of recent successful attempt
     *        latencies (at most the response timeout), so calls that are merely as slow as
     *        everyone's are not hedged (default true)
     * @param percentile see {@code adaptive} (default 0.9)
     */
    public record Hedging(
            @DefaultValue("true") boolean enabled,
            @NotNull @DefaultValue("8ms") Duration delay,
            @Min(0) @DefaultValue("8") int maxHedges,
            @DefaultValue("true") boolean adaptive,
            @DecimalMin(value = "0", inclusive = false)
            @DecimalMax(value = "1", inclusive = false)
            @DefaultValue("0.9") double percentile) {
    }

    /**
     * Passive outlier detection (as Envoy): an instance with {@code consecutiveFailures} connect
     * failures or {@code consecutiveTimeouts} response timeouts in a row is ejected for {@code baseEjection} times the number of its
     * ejections, at most {@code maxEjection}; never all instances.
     *
     * @param consecutiveFailures connect failures in a row that eject (default 3)
     * @param consecutiveTimeouts response timeouts in a row that eject (default 10: a slow network
     *        path makes timeouts on every instance, which is no reason to eject one)
     * @param baseEjection first ejection time (default 10 s)
     * @param maxEjection longest ejection (default 5 min)
     */
    public record Outliers(
            @Min(1) @DefaultValue("3") int consecutiveFailures,
            @Min(1) @DefaultValue("10") int consecutiveTimeouts,
            @NotNull @DefaultValue("10s") Duration baseEjection,
            @NotNull @DefaultValue("5m") Duration maxEjection) {
    }

    private static void requirePositive(String name, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new IllegalArgumentException("namegate.upstream." + name + " must be positive, was " + value);
        }
    }

    private static void requireAtMostMaxRetryAfter(String name, Duration value, Duration maxRetryAfter) {
        if (value != null && maxRetryAfter != null && value.compareTo(maxRetryAfter) > 0) {
            throw new IllegalArgumentException("namegate.upstream." + name + " (" + value
                    + ") must not exceed namegate.upstream.max-retry-after (" + maxRetryAfter + ")");
        }
    }

    private static void requireShorter(String shorter, Duration a, String longer, Duration b) {
        if (a != null && b != null && a.compareTo(b) >= 0) {
            throw new IllegalArgumentException("namegate.upstream." + shorter + " (" + a
                    + ") must be shorter than namegate.upstream." + longer + " (" + b + ")");
        }
    }
}
