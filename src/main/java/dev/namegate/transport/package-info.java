/**
 * How answers leave the public server's connections: written in one pass of the event loop, they
 * are sent together at its end ({@link dev.namegate.transport.ResponseFlushes}). Imports nothing
 * of ours, and nothing imports it: its customizer reaches the server through Spring.
 */
package dev.namegate.transport;
