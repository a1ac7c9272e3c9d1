package dev.namegate.bench;

/**
 * How the service's name cache answered, from its RFC 9211 {@code Cache-Status} header:
 * {@code namegate; hit; ttl=N}, {@code namegate; fwd=miss; stored}, {@code namegate; fwd=miss},
 * {@code namegate; fwd=miss; collapsed} or {@code namegate; fwd=stale; fwd-status=502}. Error
 * answers and a service with the cache off send none.
 */
enum CacheStatus {
    /** No {@code Cache-Status} header. */
    ABSENT,
    /** Answered from the cache. */
    HIT,
    /** A stale name stood in for a failed lookup. */
    STALE,
    /** Asked the internal service (alone or sharing another request's lookup). */
    FORWARDED;

    static final String HEADER = "Cache-Status";

    /**
     * Classifies a header value without allocating: runs on the event loop for every answer.
     *
     * @param value the header value, or {@code null} when absent
     */
    static CacheStatus of(String value) {
        if (value == null) {
            return ABSENT;
        }
        // The parameters follow the cache's name, each after a ';'.
        int start = value.indexOf(';');
        while (start >= 0) {
            int from = start + 1;
            while (from < value.length() && value.charAt(from) == ' ') {
                from++;
            }
            int end = value.indexOf(';', from);
            int to = end < 0 ? value.length() : end;
            if (isParameter(value, from, to, "hit")) {
                return HIT;
            }
            if (isParameter(value, from, to, "fwd=stale")) {
                return STALE;
            }
            start = end;
        }
        return FORWARDED;
    }

    private static boolean isParameter(String value, int from, int to, String parameter) {
        return to - from == parameter.length() && value.regionMatches(true, from, parameter, 0, parameter.length());
    }
}
