package dev.namegate.limits;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.namegate.audit.AuditLog;
import dev.namegate.auth.Client;
import dev.namegate.auth.ClientId;
import dev.namegate.auth.ClientLimits;

/**
 * Cost of the limits on the hot path, per request: source address, token bucket, quota lookup or
 * insert, and the two RateLimit header values, with a benchmark key (limits lifted) reading ids
 * over a 100,000-id range, as under load. Not part of {@code make test} (the name does not match
 * surefire's patterns); run with
 * {@code ./mvnw -B -q test -Dtest=LimitsOverheadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * and read target/surefire-reports/dev.namegate.limits.LimitsOverheadBenchmark-output.txt.
 */
class LimitsOverheadBenchmark {

    private static final ClientLimits LIFTED = new ClientLimits(OptionalDouble.of(1_000_000), OptionalInt.of(1_000_000),
            OptionalInt.of(ClientLimits.MAX_IDS_PER_DAY));

    @Test
    void measure() throws Exception {
        LimitsProperties properties = new LimitsProperties(new LimitsProperties.Rate(50, 100),
                new LimitsProperties.Quota(10_000, Duration.ofHours(24), 0.8, 1_000_000),
                new LimitsProperties.BruteForce(10, Duration.ofMinutes(1), Duration.ofMinutes(5), 100_000), List.of(),
                true);
        InMemoryClientLimitStore store = new InMemoryClientLimitStore(properties, new AuditLog(Clock.systemUTC()),
                System::nanoTime);
        SourceAddresses sources = new SourceAddresses(List.of(Cidr.parse("10.0.0.0/8")));
        InetAddress peer = InetAddress.getByName("10.1.2.3");
        List<String> xff = List.of("203.0.113.7");
        for (int threads : new int[] {1, 2}) {
            for (int round = 0; round < 3; round++) {
                long perThread = 5_000_000;
                AtomicLong sink = new AtomicLong();
                CountDownLatch start = new CountDownLatch(1);
                CountDownLatch done = new CountDownLatch(threads);
                for (int t = 0; t < threads; t++) {
                    Client client = new Client(new ClientId("bench" + t % 2), LIFTED);
                    SplittableRandom random = new SplittableRandom(t);
                    new Thread(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        long local = 0;
                        for (long i = 0; i < perThread; i++) {
                            InetAddress source = sources.resolve(peer, xff);
                            ClientLimitStore.RateDecision rate = store.consume(client);
                            String policy = "\"default\";q=" + rate.limit() + ";w=" + rate.windowSeconds();
                            String state = "\"default\";r=" + rate.remaining() + ";t=" + rate.resetSeconds();
                            ClientLimitStore.QuotaDecision quota = store.admit(client, 1 + random.nextInt(100_000));
                            if (store.throttled(source).isZero()) {
                                local += policy.length() + state.length() + quota.used();
                            }
                        }
                        sink.addAndGet(local);
                        done.countDown();
                    }).start();
                }
                long t0 = System.nanoTime();
                start.countDown();
                done.await();
                long elapsed = System.nanoTime() - t0;
                double nsPerRequest = (double) elapsed * threads / (perThread * threads);
                System.out.printf("limits hot path: threads=%d round=%d %.0f ns/request/thread (%.2f M requests/s total) sink=%d%n",
                        threads, round, nsPerRequest, perThread * threads / (elapsed / 1e9) / 1e6, sink.get() % 10);
            }
        }
    }
}
