/**
 * Response hardening that applies to every path and every answer: {@link dev.namegate.hardening.SecurityHeadersFilter}.
 * Request size limits are server properties ({@code server.max-http-request-header-size},
 * {@code server.netty.max-initial-line-length}) and Reactor Netty sends no {@code Server} header.
 */
package dev.namegate.hardening;
