package dev.namegate.bench;

/**
 * What the service's {@code Cache-Status} headers said during one phase ({@link CacheStatus}).
 *
 * @param marked answers that carried a {@code Cache-Status} header (0 with the cache off, or
 *               when the load goes to the simulator directly)
 * @param hits   answers from the cache
 * @param stale  stale names that stood in for a failed lookup
 */
public record CacheCounts(long marked, long hits, long stale) {

    public static final CacheCounts NONE = new CacheCounts(0, 0, 0);

    /** Hits per request, NaN when no answer carried the header (no cache in the path). */
    public double hitRatio(long requests) {
        return marked == 0 || requests == 0 ? Double.NaN : (double) hits / requests;
    }

    /** Stale stand-ins per request, NaN when no answer carried the header. */
    public double staleRatio(long requests) {
        return marked == 0 || requests == 0 ? Double.NaN : (double) stale / requests;
    }
}
