package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;

/** The cap on one loop's requests in progress: who goes on, who waits, and how the busy share steers it. */
class InProgressCapTest {

    private static final long STEP = TimeUnit.MILLISECONDS.toNanos(100);

    private final AtomicLong wall = new AtomicLong(1_000_000_000L);
    private final AtomicLong cpu = new AtomicLong();
    private final AtomicBoolean gateLimiting = new AtomicBoolean();
    private final InProgressCap cap = new InProgressCap(new InProgressCap.Settings(4, 0.9, 0.5, 2, STEP), cpu::get,
            wall::get, gateLimiting::get);
    /** A loop to run the cap's tasks on. */
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final EventLoop loop = channel.eventLoop();
    private final List<String> letIn = new ArrayList<>();

    @BeforeEach
    void firstReading() {
        cap.step(); // the clocks' first reading, as steering starts
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    /** One step after {@code busyShare} of a step's wall time on CPU. */
    private void stepAt(double busyShare) {
        wall.addAndGet(STEP);
        cpu.addAndGet((long) (STEP * busyShare));
        cap.step();
    }

    /** A waiter that records its turn under {@code name}, or refuses it once gone. */
    private InProgressCap.Waiter waiter(String name, boolean gone) {
        return () -> {
            if (gone) {
                return false;
            }
            letIn.add(name);
            return true;
        };
    }

    private void enterClosedLoops(int count) {
        for (int i = 0; i < count; i++) {
            assertThat(cap.full()).isFalse();
            cap.enter();
        }
    }

    @Test
    void noCapUntilTheLoopIsBusy() {
        enterClosedLoops(500);

        stepAt(0.5);

        assertThat(cap.limit()).isEqualTo(InProgressCap.NONE);
        assertThat(cap.full()).isFalse();
    }

    @Test
    void aBusyLoopCapsAtAShareOfTheMostInProgressAndNeverUnderTheFloor() {
        enterClosedLoops(20);

        stepAt(0.97);
        assertThat(cap.limit()).isEqualTo(10);

        stepAt(0.97);
        assertThat(cap.limit()).isEqualTo(5);

        stepAt(0.97);
        assertThat(cap.limit()).isEqualTo(4);
    }

    @Test
    void pastTheCapItIsFullYetCountsARequestThatGoesOnAnyway() {
        enterClosedLoops(20);
        stepAt(1);

        assertThat(cap.full()).isTrue();
        cap.enter();
        assertThat(cap.inProgress()).isEqualTo(21);
    }

    @Test
    void theWaitingGoOnFirstComeFirstServedAsAnswersLeave() {
        enterClosedLoops(20);
        stepAt(1); // cap 10
        for (int i = 0; i < 10; i++) {
            cap.left(loop);
        }
        assertThat(cap.inProgress()).isEqualTo(10);
        assertThat(cap.full()).isTrue();
        cap.await(waiter("first", false));
        cap.await(waiter("second", false));

        cap.left(loop);
        assertThat(letIn).as("not from within the answer's write").isEmpty();
        channel.runPendingTasks();
        assertThat(letIn).containsExactly("first");
        assertThat(cap.inProgress()).isEqualTo(10);
        assertThat(cap.full()).as("behind the one still waiting").isTrue();

        cap.left(loop);
        channel.runPendingTasks();
        assertThat(letIn).containsExactly("first", "second");
        assertThat(cap.waiting()).isZero();
    }

    @Test
    void aWaiterGoneBeforeItsTurnIsNotCountedAndTheNextGoesOn() {
        enterClosedLoops(20);
        stepAt(1);
        for (int i = 0; i < 10; i++) {
            cap.left(loop);
        }
        cap.await(waiter("closed", true));
        cap.await(waiter("next", false));

        cap.left(loop);
        channel.runPendingTasks();

        assertThat(letIn).containsExactly("next");
        assertThat(cap.inProgress()).isEqualTo(10);
    }

    @Test
    void aLoopWithTimeToSpareWhileRequestsWaitGrowsTheCapAndLetsThemIn() {
        enterClosedLoops(20);
        stepAt(1); // cap 10, 20 in progress
        cap.await(waiter("a", false));
        cap.await(waiter("b", false));

        stepAt(0.5);

        assertThat(cap.limit()).isEqualTo(20);
        assertThat(letIn).isEmpty(); // still 20 in progress
        cap.left(loop);
        channel.runPendingTasks();
        assertThat(letIn).containsExactly("a");

        stepAt(0.5);
        assertThat(cap.limit()).as("grown again: b still waited").isEqualTo(40);
        assertThat(letIn).containsExactly("a", "b");
    }

    @Test
    void aLoopWithTimeToSpareAndNobodyWaitingLiftsTheCap() {
        enterClosedLoops(20);
        stepAt(1);
        assertThat(cap.limit()).isEqualTo(10);

        stepAt(0.5);

        assertThat(cap.limit()).isEqualTo(InProgressCap.NONE);
    }

    @Test
    void whileTheAdmissionGateLimitsTheCapIsLiftedAndTheWaitingGoOnToIt() {
        enterClosedLoops(20);
        stepAt(1);
        cap.await(waiter("a", false));

        gateLimiting.set(true);
        stepAt(1);

        assertThat(cap.limit()).isEqualTo(InProgressCap.NONE);
        assertThat(letIn).containsExactly("a");
        assertThat(cap.full()).isFalse();
    }

    @Test
    void steeredOnItsLoopEveryStep() {
        enterClosedLoops(20);
        cap.steerOn(loop);
        channel.runPendingTasks();
        wall.addAndGet(STEP);
        cpu.addAndGet(STEP);

        channel.advanceTimeBy(STEP, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();

        assertThat(cap.limit()).isEqualTo(10);
    }
}
