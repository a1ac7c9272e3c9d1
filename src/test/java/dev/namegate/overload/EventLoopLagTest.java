package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.DefaultEventLoop;

import dev.namegate.testing.LogCapture;

/**
 * The probe on a real event loop, read through a clock the test moves: a jump of the clock is a
 * stall of the loop as far as the probe can tell, without making the test machine stall.
 */
class EventLoopLagTest {

    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final OverloadProperties properties = new OverloadProperties(true, Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(250), 0.05, 0.001, 0.9, Duration.ofSeconds(1), 0);
    private final EventLoopLag lag = new EventLoopLag(List.of(loop), properties, clock::get);

    @AfterEach
    void stop() {
        lag.stop();
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }

    @Test
    void aPunctualLoopIsNotLaggingAndNothingIsShed() {
        lag.start();
        assertThat(lag.lagging()).isFalse();
        assertThat(lag.shedShare()).isZero();
        assertThat(lag.shouldShed()).isFalse();
    }

    @Test
    void aLateProbeMeansLaggingAndSheddingGrowsThenRecedesWhenProbesArePunctualAgain() {
        lag.start();
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // every pending probe now runs 45 ms late
        assertThat(lag.lagging()).as("an overdue probe counts at once").isTrue();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> lag.shedShare() > 0);
        assertThat(lag.lagNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(40).toNanos());

        // probes are punctual again (the clock stands still, so no lateness): the share recedes
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> lag.shedShare() == 0);
        assertThat(lag.shouldShed()).isFalse();
    }

    @Test
    void aStalledLoopIsLaggingForTheHoldAndNoLongerAfterIt() {
        EventLoopLag real = new EventLoopLag(List.of(loop), properties, System::nanoTime);
        real.start();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> !real.lagging());
        // a stall of the loop, as a long GC pause or a burst of work would cause it
        loop.execute(() -> {
            long until = System.nanoTime() + Duration.ofMillis(40).toNanos();
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(real::lagging);
        long seenAt = System.nanoTime();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> !real.lagging());
        assertThat(System.nanoTime() - seenAt).as("lagging for about the hold after the stall")
                .isGreaterThanOrEqualTo(Duration.ofMillis(150).toNanos());
        real.stop();
    }

    @Test
    void theShareNeverPassesTheMaximum() {
        lag.start();
        double highest = 0;
        for (int i = 0; i < 40; i++) {
            double before = lag.shedShare();
            clock.addAndGet(Duration.ofMillis(20).toNanos()); // the next probe runs late
            await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> lag.shedShare() != before);
            highest = Math.max(highest, lag.shedShare());
        }
        assertThat(highest).isEqualTo(0.9);
    }

    @Test
    void anEpisodeIsLoggedOnceHoweverOftenTheShareFlickers() {
        try (LogCapture log = LogCapture.of("dev.namegate.overload")) {
            lag.start();
            for (int i = 0; i < 3; i++) {
                clock.addAndGet(Duration.ofMillis(50).toNanos()); // late, then punctual until the share is 0
                await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> lag.shedShare() > 0);
                await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5)).until(() -> lag.shedShare() == 0);
            }
            assertThat(log.messages()).hasSize(1).first().asString()
                    .startsWith("overload: event loops").endsWith("refusing a share of new requests");
        }
    }
}
