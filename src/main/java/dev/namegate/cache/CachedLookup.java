package dev.namegate.cache;

import dev.namegate.upstream.UserLookup;

/**
 * A lookup's answer and how the cache produced it.
 *
 * @param lookup the answer
 * @param cacheStatus the RFC 9211 {@code Cache-Status} value, or {@code null} with the cache off
 */
public record CachedLookup(UserLookup lookup, String cacheStatus) {
}
