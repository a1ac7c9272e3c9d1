package dev.namegate.auth;

import java.nio.file.Path;
import java.time.Duration;

import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;

/**
 * Where the API keys live and how often they are re-read.
 *
 * @param keysFile {@code namegate.auth.keys-file} (env {@code API_KEYS_FILE}): the keys file, one
 *     {@code <client-id> <sha256-hex>} per line. Required: {@link KeyRegistry} refuses to start
 *     without it. May be a symlink (Kubernetes Secret mounts are).
 * @param reloadInterval {@code namegate.auth.reload-interval}: time between two checks of the
 *     file for changes; default 2 s, at most 10 s because a revoked key must stop working within
 *     10 s
 * @param maxRemovedShare {@code namegate.auth.max-removed-share}: a reload that would remove more
 *     than this fraction of the keys in force (above 0, at most 1; default 0.5) is refused and
 *     the previous keys stay; so is one that would remove every key, whatever this says. A file
 *     truncated or half written in place must not lock every client out; a rotation (add, then
 *     remove) and revoking up to half the keys at once pass. 0 would refuse every revocation.
 */
@Validated
@ConfigurationProperties("namegate.auth")
public record AuthProperties(
        Path keysFile,
        @NotNull @DurationMin(millis = 1) @DurationMax(seconds = 10) @DefaultValue("2s") Duration reloadInterval,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") @DefaultValue("0.5") double maxRemovedShare) {
}
