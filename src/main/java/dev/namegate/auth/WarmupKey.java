package dev.namegate.auth;

import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

import dev.namegate.warmup.WarmupParticipant;

/**
 * Lets the warm-up call the public API on itself: a key that lives only in this process's memory
 * while the warm-up runs, never written anywhere, never logged, revoked when it ends.
 */
@Component
class WarmupKey implements WarmupParticipant {

    private final KeyRegistry keys;

    WarmupKey(KeyRegistry keys) {
        this.keys = keys;
    }

    @Override
    public Map<String, String> warmupStarting() {
        return Map.of(HttpHeaders.AUTHORIZATION, "Bearer " + keys.mintEphemeralKey("warmup"));
    }

    @Override
    public void warmupEnded() {
        keys.revokeEphemeralKey();
    }
}
