package dev.namegate.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.DefaultEventLoop;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

class EventLoopTimersTest {

    private final DefaultEventLoop loop = new DefaultEventLoop();
    /** Virtual time: a task that went to the fallback runs only when the test moves this clock. */
    private final VirtualTimeScheduler fallback = VirtualTimeScheduler.create();
    private final EventLoopTimers timers = new EventLoopTimers(fallback);

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        fallback.dispose();
    }

    @Test
    void aTimerArmedOnAnEventLoopFiresOnThatLoopWithoutTheFallback() throws Exception {
        AtomicReference<Thread> firedOn = new AtomicReference<>();
        CountDownLatch fired = new CountDownLatch(1);
        Thread loopThread = loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);

        loop.execute(() -> timers.schedule(() -> {
            firedOn.set(Thread.currentThread());
            fired.countDown();
        }, 5, TimeUnit.MILLISECONDS));

        assertThat(fired.await(5, TimeUnit.SECONDS)).as("fired in real time, no virtual clock moved").isTrue();
        assertThat(firedOn.get()).isSameAs(loopThread);
    }

    @Test
    void aTimerCancelledOnTheLoopNeverFires() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Disposable timer = loop.submit(() -> timers.schedule(runs::incrementAndGet, 20, TimeUnit.MILLISECONDS))
                .get(5, TimeUnit.SECONDS);
        loop.submit(timer::dispose).get(5, TimeUnit.SECONDS);
        assertThat(timer.isDisposed()).isTrue();

        // a later timer on the same loop fires, so the loop ran past the cancelled one's time
        CompletableFuture<Void> later = new CompletableFuture<>();
        loop.execute(() -> timers.schedule(() -> later.complete(null), 60, TimeUnit.MILLISECONDS));
        later.get(5, TimeUnit.SECONDS);
        assertThat(runs).hasValue(0);
    }

    @Test
    void aTimerArmedOffTheLoopsGoesToTheFallback() {
        AtomicInteger runs = new AtomicInteger();
        timers.schedule(runs::incrementAndGet, 10, TimeUnit.MILLISECONDS);
        assertThat(runs).hasValue(0);
        fallback.advanceTimeBy(Duration.ofMillis(10));
        assertThat(runs).hasValue(1);
    }

    @Test
    void aMonoTimeoutOnTheLoopCutsOffThereAndTheClockIsTheFallbacks() throws Exception {
        fallback.advanceTimeBy(Duration.ofSeconds(3));
        assertThat(timers.now(TimeUnit.SECONDS)).isEqualTo(3);

        CompletableFuture<String> outcome = new CompletableFuture<>();
        loop.execute(() -> Mono.never().timeout(Duration.ofMillis(5), timers)
                .subscribe(v -> outcome.complete("value"), e -> outcome.complete(e.getClass().getSimpleName()
                        + " on " + (loop.inEventLoop() ? "the loop" : Thread.currentThread().getName()))));
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo("TimeoutException on the loop");
    }
}
