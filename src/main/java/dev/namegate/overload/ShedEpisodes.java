package dev.namegate.overload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line when refusing starts and one when the share has stayed at zero for a second,
 * however often it flickers in between.
 */
final class ShedEpisodes {

    private static final Logger LOG = LoggerFactory.getLogger("dev.namegate.overload");
    private static final long EPISODE_END_NANOS = 1_000_000_000L;

    private final int minInFlight;
    private boolean episode;
    private long calmSince = Long.MAX_VALUE;

    ShedEpisodes(int minInFlight) {
        this.minInFlight = minInFlight;
    }

    /** The share is now {@code share}; {@code lagNanos} is how late the loops are. */
    synchronized void shareChanged(double share, long nowNanos, long lagNanos) {
        if (share > 0) {
            calmSince = Long.MAX_VALUE;
            if (!episode) {
                episode = true;
                // the refusals need load of our own too: at 80 requests/s a GC pause starts an
                // episode in which nothing is refused, and the line must not claim otherwise
                LOG.warn("overload: event loops {} ms late, refusing a share of new requests while at least {} are in progress",
                        lagNanos / 1_000_000, minInFlight);
            }
        } else if (episode) {
            calmSince = Math.min(calmSince, nowNanos);
            if (nowNanos - calmSince >= EPISODE_END_NANOS) {
                episode = false;
                LOG.info("overload: event loops punctual for a second, no longer refusing requests");
            }
        }
    }

    /** Forgets an episode in progress (the probe stopped). */
    synchronized void reset() {
        episode = false;
        calmSince = Long.MAX_VALUE;
    }
}
