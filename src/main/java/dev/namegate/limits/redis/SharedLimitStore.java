package dev.namegate.limits.redis;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import dev.namegate.auth.Client;
import dev.namegate.limits.ClientLimitStore;

/**
 * The limits in Redis while it answers within {@code namegate.limits.redis.timeout}, else in this
 * replica's memory: a call that fails or is late is decided by the memory store at once, and from
 * then on every call is, except one per {@code retry-interval} that tries Redis again; the first
 * answer makes the limits shared again. Each change is one log line, and the gauge
 * {@code namegate.limits.store.shared} shows the state; readiness never depends on Redis.
 *
 * <p>Redis answers on Lettuce's threads; the decision is handed back to the event loop that asked,
 * so the rest of the request runs where its connection lives.
 */
final class SharedLimitStore implements ClientLimitStore, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SharedLimitStore.class);
    private static final long SWEEP_SECONDS = 1;

    private final RedisClientLimitStore shared;
    private final ClientLimitStore local;
    private final RedisLink link;
    private final Duration timeout;
    private final long retryMillis;
    private final Scheduler timer;
    private final AtomicBoolean isShared = new AtomicBoolean(true);
    private final AtomicLong nextTryMillis = new AtomicLong();
    private final Counter localDecisions;
    private final ConcurrentHashMap<EventExecutor, Scheduler> loops = new ConcurrentHashMap<>();
    private final Disposable sweep;

    SharedLimitStore(RedisClientLimitStore shared, ClientLimitStore local, RedisLink link,
            RedisLimitsProperties properties, Scheduler timer, MeterRegistry registry) {
        this.shared = shared;
        this.local = local;
        this.link = link;
        this.timeout = properties.timeout();
        this.retryMillis = properties.retryInterval().toMillis();
        this.timer = timer;
        Gauge.builder("namegate.limits.store.shared", isShared, s -> s.get() ? 1 : 0)
                .description("1 while the limits are kept in Redis, shared by every replica; 0 while this"
                        + " replica decides them in its own memory because Redis does not answer")
                .register(registry);
        this.localDecisions = Counter.builder("namegate.limits.store.local.decisions")
                .description("Limit decisions taken in this replica's memory because Redis failed or was late")
                .register(registry);
        this.sweep = timer.schedulePeriodically(this::sweepThrottleEnds, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public Mono<RequestDecision> decide(Client client, long userId) {
        return either(() -> shared.decide(client, userId), () -> local.decide(client, userId));
    }

    @Override
    public Mono<Duration> countFailure(InetAddress address) {
        return either(() -> shared.countFailure(address), () -> local.countFailure(address));
    }

    /** Whether Redis is used now (false while falling back to memory). */
    boolean isShared() {
        return isShared.get();
    }

    private <T> Mono<T> either(Supplier<Mono<T>> inRedis, Supplier<Mono<T>> inMemory) {
        if (!isShared.get() && !mayTryAgain()) {
            localDecisions.increment();
            return inMemory.get();
        }
        Mono<T> answer = inRedis.get().timeout(timeout, timer);
        Scheduler caller = callerLoop();
        if (caller != null) {
            answer = answer.publishOn(caller);
        }
        return answer.doOnNext(ignored -> answered()).onErrorResume(failure -> {
            failed(failure);
            localDecisions.increment();
            return inMemory.get();
        });
    }

    private boolean mayTryAgain() {
        long now = timer.now(TimeUnit.MILLISECONDS);
        long next = nextTryMillis.get();
        return now - next >= 0 && nextTryMillis.compareAndSet(next, now + retryMillis);
    }

    private void answered() {
        if (isShared.compareAndSet(false, true)) {
            log.info("limits shared again: Redis at {} answers", link.address());
        }
    }

    private void failed(Throwable failure) {
        nextTryMillis.set(timer.now(TimeUnit.MILLISECONDS) + retryMillis);
        if (isShared.compareAndSet(true, false)) {
            String why = failure instanceof TimeoutException ? "no answer within " + timeout.toMillis() + " ms"
                    : failure.getClass().getSimpleName();
            // the class only: a Redis error may echo what was sent, and this line must hold no secret
            log.warn("limits fall back to this replica's memory: Redis at {} failed ({}); tried again every {} ms"
                    + " (namegate.limits.redis.retry-interval)", link.address(), why, retryMillis);
        }
    }

    /** The event loop this call is made on, as a scheduler; null off the loops (tests, timers). */
    private Scheduler callerLoop() {
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        return loop == null ? null : loops.computeIfAbsent(loop, Schedulers::fromExecutor);
    }

    private void sweepThrottleEnds() {
        if (isShared.get()) {
            shared.sweepThrottleEnds().timeout(Duration.ofSeconds(SWEEP_SECONDS), timer)
                    .subscribe(ended -> { }, failure -> log.debug("throttle sweep failed: {}",
                            failure.getClass().getSimpleName()));
        }
    }

    @Override
    public void destroy() {
        sweep.dispose();
        link.close();
    }
}
