package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import ch.qos.logback.classic.spi.ILoggingEvent;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import dev.namegate.testing.LogCapture;

/**
 * The probe on a real event loop, and the load shedder that hears it, read through a clock the
 * test moves: a jump of the clock is a stall of the loop as far as the probe can tell, without
 * making the test machine stall.
 */
class EventLoopProbeTest {

    /** Named, so that log lines of this probe can be told from those of a Spring context still running. */
    private static final String LOOP_THREAD = "lag-under-test";

    private final DefaultEventLoop loop = new DefaultEventLoop(new DefaultThreadFactory(LOOP_THREAD));
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final OverloadProperties properties = new OverloadProperties(true, Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(250), 0.05, 0.001, 0.9, Duration.ofSeconds(1), 0, Duration.ofMillis(50));
    private final LoadShedder shedder = new LoadShedder(properties, new RequestsInFlight(), clock::get);
    /**
     * The largest share the shedder reached: one late probe's rise recedes within 250 ms or so,
     * which a test thread starved on a busy machine may miss.
     */
    private final AtomicReference<Double> peakShare = new AtomicReference<>(0.0);
    private final EventLoopProbe.Listener shedderKeepingThePeak = new EventLoopProbe.Listener() {
        @Override
        public void probed(long lagNanos) {
            shedder.probed(lagNanos);
            peakShare.accumulateAndGet(shedder.share(), Math::max);
        }

        @Override
        public void stopped() {
            shedder.stopped();
        }
    };
    private final EventLoopProbe probe = new EventLoopProbe(() -> List.of(loop), properties, clock::get,
            shedderKeepingThePeak);

    @AfterEach
    void stop() {
        probe.stop();
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }

    @Test
    void aPunctualLoopIsNotLaggingAndNothingIsShed() {
        probe.start();
        assertThat(probe.stalled()).isFalse();
        assertThat(shedder.share()).isZero();
        assertThat(shedder.shouldShed()).isFalse();
    }

    @Test
    void whileItStartsOnSeveralLoopsNoLoopLooksOverdue() {
        AtomicReference<EventLoopProbe> starting = new AtomicReference<>();
        List<Long> lagsReadWhileStarting = new CopyOnWriteArrayList<>();
        DefaultEventLoop first = new DefaultEventLoop(new DefaultThreadFactory(LOOP_THREAD)) {
            @Override
            public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                // what a request or the shedder reads while the other loops' probes are not yet scheduled
                lagsReadWhileStarting.add(starting.get().lagNanos());
                return super.schedule(command, delay, unit);
            }
        };
        DefaultEventLoop second = new DefaultEventLoop(new DefaultThreadFactory(LOOP_THREAD));
        EventLoopProbe twoLoops = new EventLoopProbe(() -> List.of(first, second), properties, clock::get,
                shedderKeepingThePeak);
        starting.set(twoLoops);
        try {
            twoLoops.start();
            assertThat(lagsReadWhileStarting).isNotEmpty()
                    .allSatisfy(lag -> assertThat(lag).isLessThan(properties.lagThreshold().toNanos()));
            assertThat(twoLoops.stalled()).isFalse();
            assertThat(peakShare.get()).isZero();
        } finally {
            twoLoops.stop();
            first.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            second.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
    }

    /** Keeps the loop busy, so no probe runs (and resets the lag) until the latch is counted down. */
    private CountDownLatch holdLoopBusy() {
        CountDownLatch busy = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return busy;
    }

    @Test
    void aLateProbeMeansLaggingAndSheddingGrowsThenRecedesWhenProbesArePunctualAgain() {
        probe.start();
        // the loop held busy, so no probe runs (and resets the lag) while the overdue one is looked at
        CountDownLatch busy = holdLoopBusy();
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // every pending probe now runs 45 ms late
        assertThat(probe.stalled()).as("an overdue probe counts at once").isTrue();
        assertThat(probe.lagNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(45).toNanos());
        busy.countDown();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> peakShare.get() > 0);

        // probes are punctual again (the clock stands still, so no lateness): the share recedes
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> shedder.share() == 0);
        assertThat(shedder.shouldShed()).isFalse();
    }

    @Test
    void aLagThatLeavesRequestsTheirDeadlineExcusesTimeoutsButRefusesNothing() {
        OverloadProperties shedAt25 = new OverloadProperties(true, Duration.ofMillis(5), Duration.ofMillis(10),
                Duration.ofMillis(25), Duration.ofMillis(250), 0.05, 0.001, 0.9, Duration.ofSeconds(1), 0, Duration.ofMillis(50));
        LoadShedder shedder = new LoadShedder(shedAt25, new RequestsInFlight(), clock::get);
        EventLoopProbe probe = new EventLoopProbe(() -> List.of(loop), shedAt25, clock::get, shedder);
        probe.start();
        CountDownLatch busy = holdLoopBusy();
        clock.addAndGet(Duration.ofMillis(20).toNanos()); // the pending probe now runs 15 ms late
        assertThat(probe.stalled()).as("late enough to excuse a timeout").isTrue();
        busy.countDown();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                .until(() -> probe.lagNanos() == 0 || probe.lagNanos() < Duration.ofMillis(15).toNanos());
        assertThat(shedder.share()).as("not late enough to refuse anyone").isZero();

        clock.addAndGet(Duration.ofMillis(40).toNanos()); // 35 ms late: deadlines are at risk
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> shedder.share() > 0);
        probe.stop();
    }

    @Test
    void aStalledLoopIsLaggingForTheHoldAndNoLongerAfterIt() {
        EventLoopProbe real = new EventLoopProbe(() -> List.of(loop), properties, System::nanoTime,
                new LoadShedder(properties, new RequestsInFlight(), System::nanoTime));
        real.start();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> !real.stalled());
        // a stall of the loop, as a long GC pause or a burst of work would cause it
        loop.execute(() -> {
            long until = System.nanoTime() + Duration.ofMillis(40).toNanos();
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(real::stalled);
        long seenAt = System.nanoTime();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> !real.stalled());
        assertThat(System.nanoTime() - seenAt).as("lagging for about the hold after the stall")
                .isGreaterThanOrEqualTo(Duration.ofMillis(150).toNanos());
        real.stop();
    }

    @Test
    void switchedOffItProbesNothingAndNeitherLagsNorShedsThoughTheLoopStalls() {
        OverloadProperties off = new OverloadProperties(false, Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(10),
                Duration.ofMillis(250), 0.05, 0.001, 0.9, Duration.ofSeconds(1), 0, Duration.ofMillis(50));
        RequestsInFlight inFlight = new RequestsInFlight();
        LoadShedder offShedder = new LoadShedder(off, inFlight, clock::get);
        EventLoopProbe disabled = new EventLoopProbe(() -> List.of(loop), off, clock::get, offShedder);
        disabled.start();
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // a probe, had one been scheduled, would be overdue

        assertThat(disabled.enabled()).isFalse();
        assertThat(disabled.isRunning()).as("no probe scheduled").isFalse();
        assertThat(disabled.stalled()).isFalse();
        assertThat(new OwnLoadSignals(disabled, inFlight, off).overloaded()).isFalse();
        assertThat(offShedder.shouldShed()).isFalse();
    }

    @Test
    void aStoppedProbeNeitherLagsNorSheds() {
        probe.start();
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> peakShare.get() > 0);

        probe.stop();
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // a pending probe would now be overdue
        assertThat(probe.isRunning()).isFalse();
        assertThat(probe.stalled()).isFalse();
        assertThat(probe.lagNanos()).isZero();
        assertThat(shedder.share()).isZero();
    }

    @Test
    void aRestartProbesTheLoopsTheSourceGivesThen() {
        DefaultEventLoop second = new DefaultEventLoop(new DefaultThreadFactory(LOOP_THREAD));
        try {
            AtomicReference<List<EventExecutor>> current = new AtomicReference<>(List.of(loop));
            EventLoopProbe restartable = new EventLoopProbe(current::get, properties, clock::get,
                    shedderKeepingThePeak);
            restartable.start();
            restartable.stop();
            // as a paused Spring context does: its loops are disposed, new ones come with the restart
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            current.set(List.of(second));
            restartable.start();

            clock.addAndGet(Duration.ofMillis(50).toNanos());
            await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> peakShare.get() > 0);
            restartable.stop();
        } finally {
            second.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aLoopThatIsGoneNeverLooksOverdue() {
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        probe.start();
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(probe.stalled()).isFalse();
        assertThat(probe.lagNanos()).isZero();
    }

    @Test
    void theShareNeverPassesTheMaximum() {
        probe.start();
        double highest = 0;
        for (int i = 0; i < 40; i++) {
            double before = shedder.share();
            clock.addAndGet(Duration.ofMillis(20).toNanos()); // the next probe runs late
            await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> shedder.share() != before);
            highest = Math.max(highest, shedder.share());
        }
        assertThat(highest).isEqualTo(0.9);
    }

    @Test
    void anEpisodeIsLoggedOnceHoweverOftenTheShareFlickers() {
        try (LogCapture log = LogCapture.of("dev.namegate.overload")) {
            probe.start();
            for (int i = 0; i < 3; i++) {
                peakShare.set(0.0);
                clock.addAndGet(Duration.ofMillis(50).toNanos()); // late, then punctual until the share is 0
                await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> peakShare.get() > 0);
                await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> shedder.share() == 0);
            }
            List<String> ours = log.events().stream().filter(e -> e.getThreadName().startsWith(LOOP_THREAD))
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(ours).hasSize(1).first().asString()
                    .matches("overload: event loops \\d+ ms late, refusing a share of new requests while at least 0 are in progress");
        }
    }
}
