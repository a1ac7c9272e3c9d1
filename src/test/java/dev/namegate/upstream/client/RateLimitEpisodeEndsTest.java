package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.namegate.simulator.InternalServiceSimulator;
import dev.namegate.simulator.SimulatorSettings;
import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UserLookup;

/**
 * The internal service changes its failure mode while the client keeps running: a rate-limit
 * incident ends and a slow data centre follows, which needs more attempts per lookup (hedges and
 * retries) than the old limit allowed. Once the 429s have stopped for {@code forget-after}, the
 * limiter must let those attempts through again instead of holding the old limit. On real time:
 * the simulator's token bucket and its slow answers keep the wall clock, and the limiter must
 * follow what they really do.
 */
class RateLimitEpisodeEndsTest {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    private InternalServiceSimulator simulator;
    private TestUpstream test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    /** One lookup's end: a name, or the failure's kind, and when it ended (ms since the phase began). */
    private record Ended(String outcome, long atMillis) {
    }

    /** Looks up {@code count} new ids, one every {@code everyMillis}, each with its outcome. */
    private List<Ended> drive(int count, long everyMillis, long firstId) {
        long start = System.nanoTime();
        return Flux.interval(Duration.ofMillis(everyMillis)).take(count)
                .flatMap(i -> test.client.lookup(firstId + i, "req-" + (firstId + i), TRACE_ID)
                        .map(found -> found instanceof UserLookup.Found ? "found" : "not found")
                        .onErrorResume(UpstreamFailure.class, failure -> Mono.just(failure.kind().name()))
                        .map(outcome -> new Ended(outcome, (System.nanoTime() - start) / 1_000_000)))
                .collectList()
                .block(Duration.ofSeconds(60));
    }

    private static List<String> failures(List<Ended> ended) {
        return ended.stream().filter(e -> !e.outcome().equals("found")).map(e -> e.outcome() + " at " + e.atMillis() + " ms")
                .toList();
    }

    @Test
    void whenARateLimitIncidentEndsAndASlowDataCentreFollowsHedgesAndRetriesGetTheirPermitsAgain() {
        SimulatorSettings rateLimited = SimulatorSettings.builder().instances(2).users(1_000_000)
                .rateLimited(true).rateLimit(40).rateBurst(2).build();
        simulator = InternalServiceSimulator.start(rateLimited);
        test = new TestUpstream(Map.ofEntries(
                Map.entry("base-urls", String.join(",", simulator.baseUrls())),
                // functional timing on a shared machine; the 100 ms budget is the benchmark's
                Map.entry("connect-timeout", "100ms"), Map.entry("response-timeout", "150ms"),
                Map.entry("attempt-timeout", "200ms"), Map.entry("deadline", "2s"),
                Map.entry("pool.pending-acquire-timeout", "200ms"), Map.entry("backoff.cap", "20ms"),
                Map.entry("hedging.delay", "50ms"), Map.entry("hedging.adaptive", "false"),
                Map.entry("hedging.max-hedges", "8"), Map.entry("breaker.enabled", "false"),
                Map.entry("rate-limit.forget-after", "1s")));

        // the incident: twice the internal limit is asked for, and the limiter settles near it
        drive(240, 12, 1);
        assertThat(simulator.counters().rateLimited()).isPositive();
        assertThat(test.meters.get("namegate.upstream.rate.limit").gauge().value()).isLessThan(80);

        // the limit is lifted and half the answers now come a second late: every slow attempt
        // needs a hedge or a retry, about twice the old limit in attempts
        simulator.settings(rateLimited.toBuilder().rateLimited(false).slowFraction(0.5)
                .slowDelay(Duration.ofSeconds(1)).build());
        double refusedBefore = test.counter("namegate.upstream.refusals", "reason", "rate_limit");
        List<Ended> slow = drive(200, 20, 10_000);

        List<Ended> settled = slow.stream().filter(ended -> ended.atMillis() > 2_500).toList();
        // a held limit (about 40 permits/s for about 100 attempts/s) fails half the settled lookups
        // or more; one in ten is left to the pauses of a loaded machine, on which this real-time
        // test also runs
        assertThat(settled).as("lookups ended 2.5 s after the switch").hasSizeGreaterThan(50);
        assertThat(failures(settled)).as("settled failures; every failure: %s", failures(slow))
                .hasSizeLessThanOrEqualTo(settled.size() / 10);
        assertThat(test.counter("namegate.upstream.hedges.sent")).isPositive();
        assertThat(test.meters.get("namegate.upstream.rate.limit").gauge().value())
                .as("the old limit is forgotten and the rate has grown past the slow data centre's need")
                .isGreaterThan(100);
        double refusedLater = test.counter("namegate.upstream.refusals", "reason", "rate_limit") - refusedBefore;
        assertThat(failures(slow)).as("%s attempts refused for want of a rate permit after the switch", refusedLater)
                .hasSizeLessThan(30);
    }
}
