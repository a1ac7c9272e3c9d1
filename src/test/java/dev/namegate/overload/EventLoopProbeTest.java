package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;


/**
 * The probe on a real event loop, and what its listener hears, read through a clock the test
 * moves: a jump of the clock is a stall of the loop as far as the probe can tell, without making
 * the test machine stall.
 */
class EventLoopProbeTest {

    /** Named, so that log lines of this probe can be told from those of a Spring context still running. */
    private static final String LOOP_THREAD = "lag-under-test";

    private final DefaultEventLoop loop = new DefaultEventLoop(new DefaultThreadFactory(LOOP_THREAD));
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    /** The collector's pauses as the probe reads them: moved by the tests, like the clock. */
    private final AtomicLong paused = new AtomicLong();
    private final OverloadProperties properties = AdmissionGateTest.properties(0);
    /** The worst lag the listener heard, -1 before the first probe. */
    private final AtomicLong peakLag = new AtomicLong(-1);
    private final AtomicLong lastLag = new AtomicLong(-1);
    private final AtomicBoolean stopHeard = new AtomicBoolean();
    private final AtomicLong probesHeard = new AtomicLong();
    /** When the earliest pending probe is due, as the listener last heard it. */
    private final AtomicLong heardDue = new AtomicLong(-1);
    private final EventLoopProbe.Listener recorder = new EventLoopProbe.Listener() {
        @Override
        public void probed(long lagNanos) {
            // in this order: a test that waits for a count or the last lag then reads the peak sees this probe's
            peakLag.accumulateAndGet(lagNanos, Math::max);
            lastLag.set(lagNanos);
            probesHeard.incrementAndGet();
        }

        @Override
        public void due(long dueNanos, long pausedNanos) {
            heardDue.set(dueNanos);
        }

        @Override
        public void stopped() {
            stopHeard.set(true);
        }
    };
    private final EventLoopProbe probe = new EventLoopProbe(() -> List.of(loop), properties, clock::get, paused::get,
            recorder);

    @AfterEach
    void stop() {
        probe.stop();
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }

    @Test
    void aPunctualLoopIsNotLagging() {
        probe.start();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> lastLag.get() >= 0);
        assertThat(probe.stalled()).isFalse();
        assertThat(peakLag.get()).as("the clock stands still").isZero();
    }

    @Test
    void whileItStartsOnSeveralLoopsNoLoopLooksOverdue() {
        AtomicReference<EventLoopProbe> starting = new AtomicReference<>();
        List<Long> lagsReadWhileStarting = new CopyOnWriteArrayList<>();
        DefaultEventLoop first = new DefaultEventLoop(new DefaultThreadFactory(LOOP_THREAD)) {
            @Override
            public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                // what a request or the admission gate reads while the other loops' probes are not yet scheduled
                lagsReadWhileStarting.add(starting.get().lagNanos());
                return super.schedule(command, delay, unit);
            }
        };
        DefaultEventLoop second = new DefaultEventLoop(new DefaultThreadFactory(LOOP_THREAD));
        EventLoopProbe twoLoops = new EventLoopProbe(() -> List.of(first, second), properties, clock::get, paused::get,
                recorder);
        starting.set(twoLoops);
        try {
            twoLoops.start();
            assertThat(lagsReadWhileStarting).isNotEmpty()
                    .allSatisfy(lag -> assertThat(lag).isLessThan(properties.lagThreshold().toNanos()));
            assertThat(twoLoops.stalled()).isFalse();
            assertThat(peakLag.get()).isLessThan(properties.lagThreshold().toNanos());
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
    void aLateProbeMeansLaggingAndTheListenerHearsItThenPunctualProbesAgain() {
        probe.start();
        // the loop held busy, so no probe runs (and resets the lag) while the overdue one is looked at
        CountDownLatch busy = holdLoopBusy();
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // every pending probe now runs 45 ms late
        assertThat(probe.stalled()).as("an overdue probe counts at once").isTrue();
        assertThat(probe.lagNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(45).toNanos());
        busy.countDown();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                .until(() -> peakLag.get() >= Duration.ofMillis(45).toNanos());

        // probes are punctual again (the clock stands still, so no lateness)
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> lastLag.get() == 0);
    }

    @Test
    void aLagIsOurOverloadWithEnoughInProgressAndSheddingOnlyWhileTheGateHoldsALimit() {
        RequestsInFlight inFlight = new RequestsInFlight();
        AtomicBoolean gateLimiting = new AtomicBoolean();
        OwnLoadSignals signals = new OwnLoadSignals(probe, inFlight, gateLimiting::get, AdmissionGateTest.properties(2));
        inFlight.enter();
        inFlight.enter();
        gateLimiting.set(true);
        assertThat(signals.shedding()).as("a limit, but the loops keep time").isFalse();

        probe.start();
        CountDownLatch busy = holdLoopBusy();
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        assertThat(signals.overloaded()).isTrue();
        assertThat(signals.shedding()).isTrue();
        gateLimiting.set(false);
        assertThat(signals.overloaded()).as("lagging with enough in progress").isTrue();
        assertThat(signals.shedding()).as("the gate lets everyone in: the core still answers in time").isFalse();
        inFlight.leave();
        assertThat(signals.overloaded()).as("too few in progress: a stall, not our load").isFalse();
        assertThat(signals.stalled()).isTrue();
        busy.countDown();
    }

    @Test
    void theListenerHearsWhenTheEarliestPendingProbeIsDue() {
        DefaultEventLoop other = new DefaultEventLoop(new DefaultThreadFactory(LOOP_THREAD));
        EventLoopProbe twoLoops = new EventLoopProbe(() -> List.of(loop, other), properties, clock::get, paused::get,
                recorder);
        long start = clock.get();
        long interval = properties.probeInterval().toNanos();
        try {
            CountDownLatch busy = holdLoopBusy();
            twoLoops.start();
            assertThat(heardDue.get()).isEqualTo(start + interval);
            clock.addAndGet(Duration.ofMillis(1).toNanos());
            await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> probesHeard.get() > 0);
            assertThat(heardDue.get()).as("the busy loop's probe, not the other's next").isEqualTo(start + interval);
            busy.countDown();
            await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> heardDue.get() == start + Duration.ofMillis(1).toNanos() + interval);
        } finally {
            twoLoops.stop();
            other.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aCollectorPauseMakesTheLoopsStalledButTheListenerHearsNoLagOfTheirOwn() {
        probe.start();
        CountDownLatch busy = holdLoopBusy();
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        paused.addAndGet(Duration.ofMillis(50).toNanos()); // the whole stall was the collector's
        assertThat(probe.stalled()).as("a timeout now may still be ours").isTrue();
        assertThat(probe.lagNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(45).toNanos());
        long heardBefore = probesHeard.get();
        busy.countDown();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                .until(() -> probesHeard.get() >= heardBefore + 2);
        assertThat(peakLag.get()).as("the gate must not hold requests back for a pause that is over").isZero();
    }

    @Test
    void theListenerHearsWhatIsLeftOfAStallOnceTheCollectorsPauseIsTakenOut() {
        probe.start();
        CountDownLatch busy = holdLoopBusy();
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // the pending probe runs 45 ms late
        paused.addAndGet(Duration.ofMillis(20).toNanos()); // 20 ms of it a pause, 25 ms the loop's own work
        long heardBefore = probesHeard.get();
        busy.countDown();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                .until(() -> probesHeard.get() >= heardBefore + 2);
        assertThat(peakLag.get()).isEqualTo(Duration.ofMillis(25).toNanos());
    }

    @Test
    void aStalledLoopIsLaggingForTheHoldAndNoLongerAfterIt() {
        EventLoopProbe real = new EventLoopProbe(() -> List.of(loop), properties, System::nanoTime, paused::get,
                recorder);
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
    void switchedOffItProbesNothingAndNeverLagsThoughTheLoopStalls() {
        OverloadProperties off = new OverloadProperties(false, Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(10),
                Duration.ofMillis(250), 0.9, 1.1, Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                Duration.ofMillis(50), Duration.ofMillis(40), Duration.ofSeconds(1), 0.1, Duration.ofMillis(10),
                Duration.ofMillis(100), Duration.ofMillis(100), AdmissionGateTest.NO_CAP);
        RequestsInFlight inFlight = new RequestsInFlight();
        EventLoopProbe disabled = new EventLoopProbe(() -> List.of(loop), off, clock::get, paused::get, recorder);
        disabled.start();
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // a probe, had one been scheduled, would be overdue

        assertThat(disabled.enabled()).isFalse();
        assertThat(disabled.isRunning()).as("no probe scheduled").isFalse();
        assertThat(disabled.stalled()).isFalse();
        assertThat(new OwnLoadSignals(disabled, inFlight, () -> true, off).overloaded()).isFalse();
        assertThat(peakLag.get()).as("nothing heard").isEqualTo(-1);
    }

    @Test
    void aStoppedProbeNeitherLagsNorLeavesItsListenerWaiting() {
        probe.start();
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> peakLag.get() > 0);

        probe.stop();
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // a pending probe would now be overdue
        assertThat(probe.isRunning()).isFalse();
        assertThat(probe.stalled()).isFalse();
        assertThat(probe.lagNanos()).isZero();
        assertThat(stopHeard).isTrue();
    }

    @Test
    void aRestartProbesTheLoopsTheSourceGivesThen() {
        DefaultEventLoop second = new DefaultEventLoop(new DefaultThreadFactory(LOOP_THREAD));
        try {
            AtomicReference<List<EventExecutor>> current = new AtomicReference<>(List.of(loop));
            EventLoopProbe restartable = new EventLoopProbe(current::get, properties, clock::get, paused::get,
                    recorder);
            restartable.start();
            restartable.stop();
            // as a paused Spring context does: its loops are disposed, new ones come with the restart
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            current.set(List.of(second));
            restartable.start();

            clock.addAndGet(Duration.ofMillis(50).toNanos());
            await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> peakLag.get() > 0);
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
}
