package dev.namegate.bench;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * An open-loop load generator: request i is sent at t0 + i/rate whatever the previous answers
 * did, and its latency is measured from that intended time. A closed loop (send, wait, send)
 * would slow down exactly when the server does and hide the stall ("coordinated omission").
 *
 * <p>One dedicated thread paces the schedule with {@link LockSupport#parkNanos}; when it wakes
 * late it fires every request that is due at once. Requests are non-blocking Reactor Netty calls
 * on a pooled connection provider; answers are judged on the event loop by a
 * {@link ResponseCheck} and recorded into an HdrHistogram {@link Recorder}; the service's
 * {@code Cache-Status} header is counted ({@link CacheStatus}). Nothing is logged per request: the
 * generator must sustain well over 10,000 requests/s on one core.
 *
 * <p>One instance may run several phases in turn (warm-up, then measured) and must be closed.
 */
public final class OpenLoopLoad implements AutoCloseable {

    /** Latencies above this are clamped, so one absurd outlier cannot break the histogram. */
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);
    /** Scheduling starts a little in the future so that t0 is not already late. */
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Extra time, beyond the last send plus the timeout, before unfinished requests are abandoned. */
    private static final long DRAIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final byte[] EMPTY = new byte[0];
    /** The timeline's slice: short enough to show an overload's onset, long enough to hold a few hundred requests. */
    private static final Duration TIMELINE_SLICE = Duration.ofMillis(500);

    private final LoopResources loops;
    private final ConnectionProvider pool;
    private final HttpClient client;
    private final HttpClient.RequestSender post;
    private final Target target;
    private final Duration timeout;

    /**
     * @param target         where requests go
     * @param maxConnections connection pool size; sized for rate × expected latency, 512 is plenty
     *                       for loopback at the rates used here
     * @param timeout        client-side limit on each stage of a request: waiting for a pooled
     *                       connection, connecting (at most 1 s), and waiting for the response
     *                       (Netty's response timeout: no byte of the answer for that long). A
     *                       request that hits it fails, with its latency still counted from its
     *                       intended send time. Per stage rather than end to end because Netty's
     *                       channel-level response timeout costs a third less CPU per request than a
     *                       Reactor {@code timeout()} operator, which schedules a task on another
     *                       thread for every request.
     */
    public OpenLoopLoad(Target target, int maxConnections, Duration timeout) {
        this.target = Objects.requireNonNull(target, "target");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
        }
        // Own loop threads and pool, so the generator never shares threads with a server under test
        // that happens to live in the same JVM (the tests), and closing it frees everything.
        this.loops = LoopResources.create("open-loop", Math.max(1, Runtime.getRuntime().availableProcessors()), true);
        this.pool = ConnectionProvider.builder("open-loop")
                .maxConnections(maxConnections)
                // Open loop: never refuse to queue a request; it fails by its own timeout instead.
                .pendingAcquireMaxCount(1_000_000)
                .pendingAcquireTimeout(timeout)
                .build();
        HttpClient base = HttpClient.create(pool)
                .runOn(loops)
                .baseUrl(target.baseUrl())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(1000, timeout.toMillis()))
                .responseTimeout(timeout)
                .keepAlive(true);
        // Headers are set once on the client, not built per request.
        this.client = target.authorization() == null ? base
                : base.headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, target.authorization()));
        this.post = client.request(HttpMethod.POST);
        // Start event loops and load the native transport before the first scheduled send.
        client.warmup().block(Duration.ofSeconds(10));
    }

    /** 512 connections, 2 s timeout. */
    public OpenLoopLoad(Target target) {
        this(target, 512, LoadPlan.DEFAULT_TIMEOUT);
    }

    /**
     * Runs one phase to its end: sends {@link LoadPlan#count()} requests on schedule, then waits
     * for every answer (each is bounded by the timeout). Stops by itself: if the pacing
     * thread falls more than the plan's duration behind, unsent requests count as failed; if
     * requests are still unfinished well after their timeout, they count as failed too.
     */
    public LoadResult run(LoadPlan plan, IdMix ids, ResponseCheck check) throws InterruptedException {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(check, "check");
        Phase phase = new Phase(plan, check);
        Thread pacer = new Thread(() -> phase.pace(ids), "open-loop-pacer");
        pacer.setDaemon(true);
        pacer.setPriority(Thread.MAX_PRIORITY);
        pacer.start();
        pacer.join();
        return phase.finish();
    }

    @Override
    public void close() {
        pool.disposeLater().block(Duration.ofSeconds(5));
        // No quiet period: every request of every phase has already finished or been abandoned.
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(6));
    }

    /** The state of one run; all counters are written from event-loop threads. */
    private final class Phase {
        private final LoadPlan plan;
        private final ResponseCheck check;
        private final long count;
        private final long sloMicros;
        private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
        private final LongAdder correct = new LongAdder();
        private final LongAdder correctWithinSlo = new LongAdder();
        private final LongAdder wrong = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final LongAdder cacheMarked = new LongAdder();
        private final LongAdder cacheHits = new LongAdder();
        private final LongAdder cacheStale = new LongAdder();
        private final CountDownLatch finished;
        /** Wrong answers by HTTP status: tells a 504 storm from a wrong name at a glance. */
        private final AtomicLongArray wrongByStatus = new AtomicLongArray(600);
        /** Only touched on the error path, so the happy path stays allocation-light. */
        private final Map<String, LongAdder> failureCauses = new ConcurrentHashMap<>();
        private final AtomicLong lastSendNanos = new AtomicLong();
        private final LateTimeline.Recorder timeline;
        private volatile long maxLagNanos;
        /** t0 of the schedule, set before the first send. */
        private volatile long scheduleStartNanos;

        Phase(LoadPlan plan, ResponseCheck check) {
            this.plan = plan;
            this.check = check;
            this.count = plan.count();
            this.sloMicros = plan.slo().toNanos() / 1000;
            this.finished = new CountDownLatch(Math.toIntExact(count));
            this.timeline = new LateTimeline.Recorder(plan.duration(), TIMELINE_SLICE);
        }

        void pace(IdMix mix) {
            LongSupplier ids = mix.generator(plan.seed());
            long t0 = System.nanoTime() + START_DELAY_NANOS;
            scheduleStartNanos = t0;
            long giveUp = t0 + 2 * plan.duration().toNanos();
            long lag = 0;
            long i = 0;
            while (i < count) {
                long now = System.nanoTime();
                long intended = t0 + plan.intendedOffsetNanos(i);
                if (now < intended) {
                    LockSupport.parkNanos(intended - now);
                    continue;
                }
                if (now > giveUp) {
                    break;
                }
                lag = Math.max(lag, now - intended);
                // Late wake-ups fire the whole due batch: the schedule, not the thread, sets the rate.
                do {
                    send(ids.getAsLong(), intended);
                    i++;
                    intended = t0 + plan.intendedOffsetNanos(i);
                } while (i < count && intended <= now);
            }
            lastSendNanos.set(System.nanoTime());
            maxLagNanos = lag;
            if (i < count) {
                failureCauses.computeIfAbsent("NotSent", k -> new LongAdder()).add(count - i);
            }
            for (long u = i; u < count; u++) {
                failed.increment();
                finished.countDown();
            }
        }

        private void send(long id, long intendedNanos) {
            String uri = target.pathPrefix() + id;
            HttpClient.ResponseReceiver<?> request = target.post()
                    ? post.uri(uri)
                    : client.get().uri(uri);
            request.responseSingle((response, body) -> {
                        int status = response.status().code();
                        String contentType = response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE);
                        countCache(CacheStatus.of(response.responseHeaders().get(CacheStatus.HEADER)));
                        return body.asByteArray()
                                .defaultIfEmpty(EMPTY)
                                .map(bytes -> {
                                    Outcome outcome = check.check(id, status, contentType, bytes);
                                    if (outcome == Outcome.WRONG && status >= 0 && status < wrongByStatus.length()) {
                                        wrongByStatus.incrementAndGet(status);
                                    }
                                    return outcome;
                                });
                    })
                    .onErrorResume(error -> {
                        failureCauses.computeIfAbsent(error.getClass().getSimpleName(), k -> new LongAdder()).increment();
                        return Mono.just(Outcome.FAILED);
                    })
                    .subscribe(outcome -> record(outcome, intendedNanos));
        }

        private void countCache(CacheStatus status) {
            switch (status) {
                case ABSENT -> {
                    return;
                }
                case HIT -> cacheHits.increment();
                case STALE -> cacheStale.increment();
                case FORWARDED -> {
                }
            }
            cacheMarked.increment();
        }

        private void record(Outcome outcome, long intendedNanos) {
            long micros = Math.min(HIGHEST_MICROS, Math.max(0, (System.nanoTime() - intendedNanos) / 1000));
            recorder.recordValue(micros);
            long offset = intendedNanos - scheduleStartNanos;
            timeline.scheduled(offset);
            if (micros > sloMicros) {
                timeline.late(offset, outcome == Outcome.CORRECT);
            }
            switch (outcome) {
                case CORRECT -> {
                    correct.increment();
                    if (micros <= sloMicros) {
                        correctWithinSlo.increment();
                    }
                }
                case WRONG -> wrong.increment();
                case FAILED -> failed.increment();
            }
            finished.countDown();
        }

        LoadResult finish() throws InterruptedException {
            // Acquire, connect and response each have the timeout.
            long waitNanos = 3 * timeout.toNanos() + DRAIN_GRACE_NANOS - (System.nanoTime() - lastSendNanos.get());
            long abandoned = 0;
            if (!finished.await(Math.max(0, waitNanos), TimeUnit.NANOSECONDS)) {
                // Should not happen (every request has a timeout); counted rather than waited for forever.
                abandoned = finished.getCount();
                failureCauses.computeIfAbsent("Abandoned", k -> new LongAdder()).add(abandoned);
            }
            Map<String, Long> causes = new TreeMap<>();
            failureCauses.forEach((cause, n) -> causes.put(cause, n.sum()));
            Map<Integer, Long> wrongStatuses = new TreeMap<>();
            for (int status = 0; status < wrongByStatus.length(); status++) {
                if (wrongByStatus.get(status) > 0) {
                    wrongStatuses.put(status, wrongByStatus.get(status));
                }
            }
            Histogram histogram = recorder.getIntervalHistogram();
            return new LoadResult(count, correct.sum(), correctWithinSlo.sum(), wrong.sum(),
                    failed.sum() + abandoned, histogram, maxLagNanos / 1000, causes, wrongStatuses,
                    new CacheCounts(cacheMarked.sum(), cacheHits.sum(), cacheStale.sum()), timeline.snapshot());
        }
    }
}
