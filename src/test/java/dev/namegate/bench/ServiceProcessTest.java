package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

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

        assertThat(ServiceProcess.warmupEnding(finished)).contains("warm-up done in 40127 ms (32 lookups, 200 requests): ready");
        assertThat(ServiceProcess.warmupEnding(cutShort))
                .contains("warm-up cut short by its timeout (45000 ms) in the overload drill: ready");
        assertThat(ServiceProcess.warmupEnding(List.of("Started NamegateApplication in 10.15 seconds"))).isEmpty();
    }
}
