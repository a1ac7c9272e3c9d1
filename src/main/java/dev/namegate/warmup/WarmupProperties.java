package dev.namegate.warmup;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What happens between start-up and readiness.
 *
 * @param lookups lookups sent straight to the internal service, priming its connection pool (default 64; 0 = none)
 * @param requests requests sent to our own public API over loopback, warming the whole path (default 400; 0 = none)
 * @param concurrency how many of those run at once (default 4)
 * @param userId the id looked up (default 1)
 * @param timeout readiness turns green after this even if the warm-up has not finished (default 20 s)
 */
@Validated
@ConfigurationProperties("namegate.warmup")
public record WarmupProperties(
        @Min(0) @DefaultValue("64") int lookups,
        @Min(0) @DefaultValue("400") int requests,
        @Min(1) @DefaultValue("4") int concurrency,
        @Min(1) @DefaultValue("1") long userId,
        @NotNull @DefaultValue("20s") Duration timeout) {
}
