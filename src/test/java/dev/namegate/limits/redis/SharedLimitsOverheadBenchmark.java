package dev.namegate.limits.redis;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.scheduler.Schedulers;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.Client;
import dev.namegate.auth.ClientId;
import dev.namegate.auth.ClientLimits;
import dev.namegate.limits.ClientLimitStore;
import dev.namegate.limits.InMemoryClientLimitStore;
import dev.namegate.limits.LimitsProperties;
import dev.namegate.testing.RedisServer;

/**
 * What one limit decision costs with each store, open loop: {@code decide} calls leave on a
 * fixed schedule at 1,000/s (latency from the intended send time), with a benchmark key over a
 * hot set of 1,000 ids, against a real {@code redis-server} on loopback. Not part of
 * {@code make test} (the name does not match surefire's patterns); run with
 * {@code ./mvnw -B -q test -Dtest=SharedLimitsOverheadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * and read target/surefire-reports/dev.namegate.limits.redis.SharedLimitsOverheadBenchmark-output.txt.
 * The whole-service comparison is {@code make bench} with and without
 * {@code --namegate.limits.store=redis} (docs/limits.md).
 */
class SharedLimitsOverheadBenchmark {

    @RegisterExtension
    static final RedisServer redis = new RedisServer();

    private static final int RATE = 1_000;
    private static final Duration WARMUP = Duration.ofSeconds(10);
    private static final Duration MEASURED = Duration.ofSeconds(20);
    private static final Client BENCH = new Client(new ClientId("bench"), new ClientLimits(
            OptionalDouble.of(1_000_000), OptionalInt.of(1_000_000), OptionalInt.of(ClientLimits.MAX_IDS_PER_DAY)));

    @Test
    void measure() throws Exception {
        LimitsProperties limits = new LimitsProperties(new LimitsProperties.Rate(50, 100),
                new LimitsProperties.Quota(10_000, Duration.ofHours(24), 0.8, 1_000_000),
                new LimitsProperties.BruteForce(10, Duration.ofMinutes(1), Duration.ofMinutes(5), 100_000), List.of(),
                true, LimitsProperties.Store.REDIS);
        AuditLog audit = new AuditLog(Clock.systemUTC());
        InMemoryClientLimitStore memory = new InMemoryClientLimitStore(limits, audit, System::nanoTime);
        RedisLimitsProperties properties = new RedisLimitsProperties(URI.create(redis.url()), null, null,
                Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ofSeconds(1), "bench:");
        RedisLink link = new RedisLink(properties);
        while (!link.connected()) {
            Thread.sleep(10);
        }
        SharedLimitStore shared = new SharedLimitStore(new RedisClientLimitStore(link, limits, "bench:",
                IdKeying.from(null), audit), memory, link, properties, Schedulers.parallel(), new SimpleMeterRegistry());
        try {
            for (int round = 0; round < 2; round++) {
                report("memory", run(memory));
                report("redis ", run(shared));
            }
            System.out.printf("redis fell back to memory: %s%n", !shared.isShared());
        } finally {
            shared.destroy();
        }
    }

    /** Microseconds from each call's scheduled start to its answer, after a warm-up. */
    private static Recorder run(ClientLimitStore store) throws InterruptedException {
        run(store, WARMUP, new Recorder(3));
        Recorder measured = new Recorder(3);
        run(store, MEASURED, measured);
        return measured;
    }

    private static void run(ClientLimitStore store, Duration duration, Recorder latencies) throws InterruptedException {
        long calls = duration.toSeconds() * RATE;
        long interval = TimeUnit.SECONDS.toNanos(1) / RATE;
        CountDownLatch done = new CountDownLatch((int) calls);
        SplittableRandom random = new SplittableRandom(1);
        long start = System.nanoTime();
        for (long i = 0; i < calls; i++) {
            long intended = start + i * interval;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                if (wait > 200_000) {
                    Thread.sleep(0, 100_000); // a load generator's pacing, not a test's wait
                } else {
                    Thread.onSpinWait();
                }
            }
            store.decide(BENCH, 1 + random.nextInt(1_000)).subscribe(d -> {
                latencies.recordValue(Math.max(0, (System.nanoTime() - intended) / 1_000));
                done.countDown();
            }, e -> done.countDown());
        }
        done.await(30, TimeUnit.SECONDS);
    }

    private static void report(String name, Recorder recorder) {
        var h = recorder.getIntervalHistogram();
        System.out.printf("%s: %d calls at %d/s, p50 %d us, p99 %d us, p99.9 %d us, max %d us%n", name,
                h.getTotalCount(), RATE, h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue());
    }
}
