/**
 * Hardening that applies to every path: the same response headers on every answer
 * ({@link dev.namegate.hardening.SecurityHeadersFilter}), and limits on slow and idle clients and
 * on open connections ({@link dev.namegate.hardening.ServerLimitsProperties}, applied to Reactor
 * Netty by {@link dev.namegate.hardening.ServerLimitsConfiguration}). Request size limits are
 * server properties ({@code server.max-http-request-header-size},
 * {@code server.netty.max-initial-line-length}) and Reactor Netty sends no {@code Server} header.
 */
package dev.namegate.hardening;
