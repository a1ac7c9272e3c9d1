package dev.namegate.overload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One log line when the admission limit is set and one when it is lifted, however long it lasts. */
final class ShedEpisodes {

    private static final Logger LOG = LoggerFactory.getLogger("dev.namegate.overload");

    private boolean episode;

    synchronized void started(long lagNanos, int inProgress, int limit) {
        if (!episode) {
            episode = true;
            LOG.warn("overload: event loops {} ms late with {} requests in progress; admitting at most {} at once,"
                    + " the rest wait their turn", lagNanos / 1_000_000, inProgress, limit);
        }
    }

    /** @param why what held for a second, e.g. "event loops punctual" */
    synchronized void ended(String why) {
        if (episode) {
            episode = false;
            LOG.info("overload: {} for a second, admitting every request at once again", why);
        }
    }

    /** Forgets an episode in progress (the probe stopped). */
    synchronized void reset() {
        episode = false;
    }
}
