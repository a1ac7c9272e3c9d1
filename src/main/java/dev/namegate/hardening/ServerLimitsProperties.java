package dev.namegate.hardening;

import java.time.Duration;

import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * How long a client may take and how many connections one replica holds: without these, a client
 * that sends half a request head (or a body a byte at a time), or opens connections and stays
 * silent, holds a connection for ever, and enough of them exhaust the replica. Applied to Reactor
 * Netty by {@link ServerLimitsConfiguration}.
 *
 * @param requestHeadTimeout {@code namegate.server.request-head-timeout}: the whole request line
 *     and headers must arrive within this of their first byte, else the connection is closed
 *     (default 10 s, at most 10 min); a head trickling in a byte at a time is cut off too
 * @param requestBodyTimeout {@code namegate.server.request-body-timeout}: the whole request body
 *     must arrive within this of the head, whether or not the request was answered first
 *     (default 10 s, at most 10 min; Reactor Netty's request timeout until the answer, ours
 *     after it). Our routes read no body, but one sent must still be drained before the next request
 * @param maxConnections {@code namegate.server.max-connections}: open connections per server at
 *     once (default 10,000); a connection beyond is closed as soon as it is accepted, counted in
 *     {@code namegate.server.connections.refused} and logged once per episode
 * @param idleTimeout {@code namegate.server.idle-timeout}: a connection that reads nothing for
 *     this long is closed (default 60 s, at most an hour), on the management server too. Every
 *     request is answered within its deadline, far within this, so it counts from the last byte
 *     read; Reactor Netty's idle timeout is used on the management server only, as it adds and
 *     removes a handler and a timer on every request
 */
@Validated
@ConfigurationProperties("namegate.server")
public record ServerLimitsProperties(
        @NotNull @DurationMin(millis = 1) @DurationMax(minutes = 10) @DefaultValue("10s") Duration requestHeadTimeout,
        @NotNull @DurationMin(millis = 1) @DurationMax(minutes = 10) @DefaultValue("10s") Duration requestBodyTimeout,
        @Min(1) @DefaultValue("10000") int maxConnections,
        @NotNull @DurationMin(millis = 1) @DurationMax(hours = 1) @DefaultValue("60s") Duration idleTimeout) {
}
