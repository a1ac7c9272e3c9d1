package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ServiceProcessTest {

    private static final String PREFIX = "2026-12-06T06:28:24.155Z  INFO 24662 --- [namegate] [     parallel-1] "
            + "dev.namegate.warmup.Warmup               : ";

    @Test
    void theWarmUpsEndingIsItsLastLineFromWhereItSaysHowItEnded() {
        List<String> finished = List.of("Started NamegateApplication in 10.15 seconds",
                PREFIX + "warm-up done in 40127 ms (32 lookups, 200 requests): ready");
        List<String> cutShort = List.of(PREFIX + "cache drill done: 100000 operations",
                PREFIX.replace(" INFO", " WARN") + "warm-up cut short by its timeout (45000 ms) in the overload drill: ready");

        assertThat(ending(finished)).contains("warm-up done in 40127 ms (32 lookups, 200 requests): ready");
        assertThat(ending(cutShort))
                .contains("warm-up cut short by its timeout (45000 ms) in the overload drill: ready");
        assertThat(ending(List.of("Started NamegateApplication in 10.15 seconds"))).isEmpty();
    }

    /** The first line of {@code log} that tells how the warm-up ended, as the service's output is read line by line. */
    private static Optional<String> ending(List<String> log) {
        return log.stream().map(ServiceProcess::warmupEnding).flatMap(Optional::stream).findFirst();
    }
}
