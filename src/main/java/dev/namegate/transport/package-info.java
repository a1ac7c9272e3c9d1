/**
 * How answers leave the public server's connections: written in one pass of the event loop, they
 * are sent together at its end, each at once while the admission gate holds a limit or when
 * written within a read of its own connection
 * ({@link dev.namegate.transport.ResponseFlushes}). Imports only the overload package's gate, and
 * nothing imports it: its customizer reaches the server through Spring.
 */
package dev.namegate.transport;
