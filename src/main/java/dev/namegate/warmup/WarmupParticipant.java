package dev.namegate.warmup;

import java.util.Map;

/**
 * A part of the service that takes part in the warm-up before readiness: it may change what it
 * does while the JVM is cold, and may give the warm-up's own requests what they need to pass
 * (a key). Each participant decides for itself; the warm-up only calls them.
 */
public interface WarmupParticipant {

    /**
     * The warm-up starts.
     *
     * @return headers every warm-up request to our own API must carry (e.g. an Authorization)
     */
    default Map<String, String> warmupStarting() {
        return Map.of();
    }

    /** The warm-up has ended, however it ended. */
    default void warmupEnded() {
    }
}
