package dev.namegate.overload;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * How this process notices that it, not the internal service, is the slow part, and what it does
 * then ({@code namegate.overload.*}).
 *
 * @param enabled probe the event loops and shed load when they lag (default true)
 * @param probeInterval how often each event loop is probed (default 5 ms)
 * @param lagThreshold a probe this late means the loops ran late: timeouts are put down to us, no
 *     hedge is sent (default 10 ms)
 * @param shedLagThreshold a probe this late means requests now wait long enough to risk their
 *     deadline, and only then is work refused: under a closed loop a busy core's loops run a few
 *     milliseconds late while every request still finishes in time, and refusing those would only
 *     trade answers for refusals (default 25 ms)
 * @param hold how long after a late probe timeouts are still put down to our own lag (default 250 ms)
 * @param shedStep added to the share of requests refused at each late probe (default 0.05)
 * @param shedRelief taken off that share at each punctual probe (default 0.01)
 * @param maxShed the largest share ever refused, so some requests always get through (default 0.9)
 * @param retryAfter what a refusal's {@code Retry-After} says, whole seconds (default 1 s)
 * @param shedMinInFlight requests are refused only while at least this many are in progress: a
 *     lag with little load of our own is a neighbour's doing, and refusing would not help (default 16)
 * @param shedQueueTime requests are refused only while more are in progress than the process
 *     finishes in this time (Little's law: the wait a new request would have before its turn):
 *     fewer than that, as under a closed loop of a few hundred connections, all finish in time
 *     and refusing them would only trade answers for refusals while the clients send the next
 *     one at once (default 50 ms, about half the deadline)
 */
@Validated
@ConfigurationProperties("namegate.overload")
public record OverloadProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("5ms") Duration probeInterval,
        @NotNull @DefaultValue("10ms") Duration lagThreshold,
        @NotNull @DefaultValue("25ms") Duration shedLagThreshold,
        @NotNull @DefaultValue("250ms") Duration hold,
        @DecimalMin("0.001") @DecimalMax("1") @DefaultValue("0.05") double shedStep,
        @DecimalMin("0.0001") @DecimalMax("1") @DefaultValue("0.01") double shedRelief,
        @DecimalMin("0") @DecimalMax("0.99") @DefaultValue("0.9") double maxShed,
        @NotNull @DefaultValue("1s") Duration retryAfter,
        @Min(0) @DefaultValue("16") int shedMinInFlight,
        @NotNull @DefaultValue("50ms") Duration shedQueueTime) {

    public OverloadProperties {
        if (probeInterval.toNanos() < 1_000_000L) {
            throw new IllegalArgumentException("namegate.overload.probe-interval must be at least 1ms");
        }
        if (lagThreshold.compareTo(probeInterval) < 0) {
            throw new IllegalArgumentException(
                    "namegate.overload.lag-threshold must be at least the probe interval (" + probeInterval + ")");
        }
        if (shedLagThreshold.compareTo(lagThreshold) < 0) {
            throw new IllegalArgumentException(
                    "namegate.overload.shed-lag-threshold must be at least the lag threshold (" + lagThreshold + ")");
        }
        if (retryAfter.toSeconds() < 1) {
            throw new IllegalArgumentException("namegate.overload.retry-after must be at least 1s");
        }
        if (shedQueueTime.toNanos() < 1_000_000L) {
            throw new IllegalArgumentException("namegate.overload.shed-queue-time must be at least 1ms");
        }
        if (hold.compareTo(lagThreshold) < 0) {
            throw new IllegalArgumentException("namegate.overload.hold must be at least the lag threshold");
        }
    }
}
