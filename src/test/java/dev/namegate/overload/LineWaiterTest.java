package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;

import reactor.core.Disposable;

/** A request let in from the gate's line starts on the event loop it arrived on, and a turn it missed is given back. */
class LineWaiterTest {

    private static final long LATE = Duration.ofMillis(30).toNanos();

    /** Where the waiting request arrived. */
    private final DefaultEventLoop home = new DefaultEventLoop();
    /** Where the request that lets it in ends. */
    private final DefaultEventLoop other = new DefaultEventLoop();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final RequestsInFlight inFlight = new RequestsInFlight();
    private final AdmissionGate gate = new AdmissionGate(AdmissionGateTest.properties(4), inFlight, clock::get,
            new AtomicLong()::get);
    private final AtomicReference<Boolean> answer = new AtomicReference<>();
    private final AtomicReference<Thread> answeredOn = new AtomicReference<>();

    @AfterEach
    void stopLoops() throws Exception {
        home.shutdownGracefully(0, 1, TimeUnit.SECONDS).get();
        other.shutdownGracefully(0, 1, TimeUnit.SECONDS).get();
    }

    private static <T> T on(EventLoop loop, Callable<T> work) throws Exception {
        return loop.submit(work).get(5, TimeUnit.SECONDS);
    }

    /** Six in progress, a limit of six, and one request waiting that arrived on {@link #home}. */
    private Disposable fullGateAndOneWaitingAtHome() throws Exception {
        for (int i = 0; i < 6; i++) {
            gate.admit().subscribe();
        }
        gate.probed(LATE);
        assertThat(gate.limit()).isEqualTo(6);
        Disposable waiting = on(home, () -> gate.admit().subscribe(admitted -> {
            answeredOn.set(Thread.currentThread());
            answer.set(admitted);
        }));
        assertThat(gate.waiting()).isOne();
        return waiting;
    }

    @Test
    void aRequestLetInByAnotherLoopStartsOnItsOwn() throws Exception {
        fullGateAndOneWaitingAtHome();
        Thread homeThread = on(home, Thread::currentThread);

        on(other, () -> {
            gate.leave();
            return null;
        });

        assertThat(on(home, answer::get)).isTrue();
        assertThat(answeredOn.get()).isSameAs(homeThread);
        assertThat(inFlight.count()).isEqualTo(6);
    }

    @Test
    void aRequestGoneBeforeItsTurnReachedItGivesItsPlaceBack() throws Exception {
        Disposable waiting = fullGateAndOneWaitingAtHome();
        CountDownLatch homeBusy = new CountDownLatch(1);
        home.execute(() -> {
            try {
                homeBusy.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        on(other, () -> {
            gate.leave(); // its turn comes, on its way to the busy home loop ...
            return null;
        });
        waiting.dispose(); // ... and it goes before the answer reaches it
        homeBusy.countDown();

        assertThat(on(home, answer::get)).isNull();
        assertThat(inFlight.count()).as("the five left in progress, not six").isEqualTo(5);
    }

    @Test
    void aRequestGoneWhileWaitingLeavesTheLineAndTakesNoPlace() throws Exception {
        Disposable waiting = fullGateAndOneWaitingAtHome();

        on(home, () -> {
            waiting.dispose();
            return null;
        });
        gate.leave();

        assertThat(gate.waiting()).isZero();
        assertThat(on(home, answer::get)).isNull();
        assertThat(inFlight.count()).isEqualTo(5);
    }
}
