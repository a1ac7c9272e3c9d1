package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ch.qos.logback.classic.spi.ILoggingEvent;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import dev.namegate.testing.LogCapture;

/** The admission limit follows the loops' lag; requests over it wait in order, and only a long wait is refused. */
class AdmissionGateTest {

    private static final long LATE = Duration.ofMillis(30).toNanos();
    private static final long PUNCTUAL = 0;
    /** Late enough for the limit to fall, not as late as sets one. */
    private static final long SLIGHTLY_LATE = Duration.ofMillis(15).toNanos();

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final RequestsInFlight inFlight = new RequestsInFlight();
    // a limit from a 25 ms lag, steered every 25 ms: halved at a 10 ms lag, doubled while on time; at least 4; 50 ms of queue
    private final AtomicLong paused = new AtomicLong();
    private final AdmissionGate gate = new AdmissionGate(properties(4), inFlight, clock::get, paused::get);
    /** The same, its limit floored at what it admits in 10 ms at its pace. */
    private final AdmissionGate floored = new AdmissionGate(properties(4, Duration.ofMillis(10)), inFlight, clock::get,
            paused::get);

    /** The cap on requests in progress, off: these tests are about the gate. */
    static final OverloadProperties.Cap NO_CAP = new OverloadProperties.Cap(false, 32, 0.9, 0.9, 1.25, Duration.ofMillis(100));

    static OverloadProperties properties(int minInFlight) {
        return properties(minInFlight, Duration.ZERO);
    }

    static OverloadProperties properties(int minInFlight, Duration limitFloorTime) {
        return properties(minInFlight, limitFloorTime, Duration.ZERO);
    }

    static OverloadProperties properties(int minInFlight, Duration limitFloorTime, Duration minTimeInProgress) {
        return properties(minInFlight, limitFloorTime, minTimeInProgress, Duration.ZERO);
    }

    static OverloadProperties properties(int minInFlight, Duration limitFloorTime, Duration minTimeInProgress,
            Duration limitStartTime) {
        return new OverloadProperties(true, Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
                Duration.ofMillis(250), 0.5, 2, Duration.ofSeconds(1), minInFlight, minTimeInProgress, limitFloorTime,
                limitStartTime, Duration.ofMillis(50), Duration.ofMillis(40), Duration.ofSeconds(1), 0.1,
                Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMillis(100), NO_CAP);
    }

    /** One request's admission: {@code null} while it waits. */
    private final class Admission {
        final AtomicReference<Boolean> answer = new AtomicReference<>();
        final Disposable subscription;

        Admission() {
            subscription = gate.admit().subscribe(answer::set);
        }

        /** A request of a closed loop: admitted at once or not, as any, but waiting the longer time. */
        Admission(boolean closedLoop) {
            subscription = (gate.admitAtOnce() ? Mono.just(Boolean.TRUE) : gate.awaitTurn(closedLoop)).subscribe(answer::set);
        }

        Boolean answer() {
            return answer.get();
        }
    }

    private List<Admission> admit(int count) {
        List<Admission> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(new Admission());
        }
        return all;
    }

    @Test
    void punctualLoopsAdmitEveryRequestAtOnce() {
        List<Admission> all = admit(500);
        gate.probed(PUNCTUAL);
        assertThat(all).allSatisfy(a -> assertThat(a.answer()).isTrue());
        assertThat(inFlight.count()).isEqualTo(500);
        assertThat(gate.limit()).isEqualTo(AdmissionGate.UNLIMITED);
    }

    @Test
    void newcomersAreRefusedOnlyWhileTheLineIsLongAndTheGateHasJustRefusedSomeone() {
        assertThat(gate.refusingNewcomers()).as("no limit").isFalse();
        closedLoop(gate, 6, 1, 200, PUNCTUAL); // requests finish at 1,000 a second: a short line is let in soon
        gate.probed(LATE);
        assertThat(gate.refusingNewcomers()).as("a limit, nobody waiting").isFalse();
        admit(2);
        clock.addAndGet(Duration.ofMillis(40).toNanos());
        assertThat(gate.refusingNewcomers()).as("waited 40 ms, but nobody refused: served in time so far").isFalse();
        clock.addAndGet(Duration.ofMillis(10).toNanos());
        gate.leave(); // both in line have waited their longest (50 ms): both are refused
        assertThat(gate.waiting()).isZero();
        assertThat(gate.refusingNewcomers()).as("nobody waiting").isFalse();

        admit(2); // one takes the place the leaver freed, one waits
        clock.addAndGet(Duration.ofMillis(39).toNanos());
        assertThat(gate.refusingNewcomers()).as("waited 39 ms; newcomers are refused from 40").isFalse();
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(gate.refusingNewcomers()).isTrue();
        clock.addAndGet(Duration.ofMillis(960).toNanos());
        assertThat(gate.refusingNewcomers()).as("a second since the gate last refused anyone").isFalse();
    }

    /**
     * Many more arrive than the core lets in: those let into a line that takes as long to let in
     * as its first may wait before newcomers are refused would wait past the queue time, so they
     * are refused on arrival before the first has waited.
     */
    @Test
    void newcomersAreRefusedWhileTheLineWouldTakeAsLongToLetInAtThePaceAsItsFirstMayWait() {
        closedLoop(gate, 6, 1, 200, PUNCTUAL); // requests finish at 1,000 a second
        gate.probed(LATE);
        admit(2);
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        gate.leave(); // both waited their longest: refused
        admit(31); // one takes the place freed, 30 wait
        assertThat(gate.refusingNewcomers()).as("30 in line: 30 ms at 1,000 a second, under 40").isFalse();
        admit(20);
        assertThat(gate.refusingNewcomers()).as("50 in line: 50 ms, though the first has waited none").isTrue();
    }

    @Test
    void refusalsOnArrivalCountTowardTheShareAsRefusalsAfterTheWaitDo() {
        aSecondOfAClosedLoopsTurns();
        admit(9);
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        gate.probed(LATE); // nine refused after their wait: 9 of 109
        admit(1);
        clock.addAndGet(Duration.ofMillis(40).toNanos());
        assertThat(gate.refusingNewcomers()).as("9 refused of 109: under a tenth").isFalse();
        gate.refusedOnArrival();
        gate.refusedOnArrival();
        assertThat(gate.refusingNewcomers()).as("11 of 111").isFalse();
        gate.refusedOnArrival();
        assertThat(gate.refusingNewcomers()).as("12 of 112").isTrue();
    }

    @Test
    void aClosedLoopWhoseLineIsServedWithinTheQueueTimeIsNeverRefusedOnArrival() {
        List<Admission> inProgress = new ArrayList<>(admit(4));
        gate.probed(LATE);
        for (int turn = 0; turn < 200; turn++) {
            inProgress.addAll(admit(1)); // each answer brings its connection's next request
            clock.addAndGet(Duration.ofMillis(45).toNanos());
            assertThat(gate.refusingNewcomers()).isFalse();
            gate.leave();
        }
        assertThat(inProgress).allSatisfy(a -> assertThat(a.answer()).isTrue());
    }

    @Test
    void aStallThatRefusesAFewOfAClosedLoopsLineTurnsNoNewcomerAway() {
        List<Admission> inProgress = aSecondOfAClosedLoopsTurns();
        assertThat(inProgress).allSatisfy(a -> assertThat(a.answer()).isTrue());
        List<Admission> stalled = admit(9);
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // a stall: all nine in line wait their longest
        gate.probed(LATE);
        assertThat(stalled).allSatisfy(a -> assertThat(a.answer()).isFalse());

        admit(3);
        clock.addAndGet(Duration.ofMillis(45).toNanos());
        assertThat(gate.refusingNewcomers()).as("9 refused of 109 that left the line: under a tenth").isFalse();
        clock.addAndGet(Duration.ofMillis(5).toNanos());
        gate.probed(LATE); // three more refused after their wait: 12 of 112
        assertThat(gate.waiting()).isZero();
        admit(1);
        clock.addAndGet(Duration.ofMillis(40).toNanos());
        assertThat(gate.refusingNewcomers()).as("over a tenth of those that left the line were refused").isTrue();
    }

    /** A limit, then a second of a closed loop's turns, each let in after 10 ms in line: 100 let in from the line. */
    private List<Admission> aSecondOfAClosedLoopsTurns() {
        List<Admission> inProgress = new ArrayList<>(admit(4));
        gate.probed(LATE);
        for (int turn = 0; turn < 100; turn++) {
            inProgress.addAll(admit(1));
            clock.addAndGet(Duration.ofMillis(10).toNanos());
            gate.leave();
        }
        return inProgress;
    }

    @Test
    void aLagWithFewRequestsOfOurOwnInProgressSetsNoLimit() {
        admit(3);
        gate.probed(LATE);
        assertThat(gate.limit()).as("a neighbour's lag").isEqualTo(AdmissionGate.UNLIMITED);
        assertThat(new Admission().answer()).isTrue();
    }

    /**
     * 256 connections, each sending its next request as its answer comes: at 8 answers a
     * millisecond those in progress leave within 32 ms, at 4 within 64 ms, past the 50 ms a limit
     * needs. The loops keep time for the first 100 ms, which gives the pace, then run 30 ms late.
     */
    @ParameterizedTest
    @CsvSource({ "8, false", "4, true" })
    void aClosedLoopTheCoreServesWithinTheMinTimeInProgressSetsNoLimitHoweverLateTheLoops(int finishedPerMs,
            boolean limited) {
        AdmissionGate paced = pacedGate();
        closedLoop(paced, 256, finishedPerMs, 100, PUNCTUAL);
        closedLoop(paced, 0, finishedPerMs, 200, LATE);
        assertThat(paced.limit() != AdmissionGate.UNLIMITED).isEqualTo(limited);
    }

    @Test
    void aLullKeepsThePaceTheCoreLastShowed() {
        AdmissionGate paced = pacedGate();
        closedLoop(paced, 256, 8, 200, PUNCTUAL); // 8,000 a second
        for (int connection = 0; connection < 256; connection++) {
            paced.leave();
        }
        for (int ms = 5; ms <= 1_000; ms += 5) { // a second of nothing to do
            clock.addAndGet(Duration.ofMillis(5).toNanos());
            paced.probed(PUNCTUAL);
        }
        closedLoop(paced, 256, 8, 5, LATE);
        assertThat(paced.limit()).as("256 take 32 ms at the pace before the lull").isEqualTo(AdmissionGate.UNLIMITED);
    }

    /**
     * Twice what the core serves: 4 answers a millisecond while requests keep coming. With 300
     * in progress, 75 ms of work at that pace, the limit starts at the 40 that 10 ms finishes, not
     * at the 300, so a request let in after its wait in line is not held in progress as long again.
     */
    @Test
    void theLimitStartsAtWhatTheCoreFinishesInTheStartTime() {
        AdmissionGate starting = new AdmissionGate(properties(4, Duration.ZERO, Duration.ofMillis(50),
                Duration.ofMillis(10)), inFlight, clock::get, paused::get);
        try (LogCapture log = LogCapture.of("dev.namegate.overload")) {
            closedLoop(starting, 100, 4, 200, PUNCTUAL);
            closedLoop(starting, 200, 4, 5, LATE);
            assertThat(starting.limit()).isEqualTo(40);
            assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "overload: event loops 30 ms late with 300 requests in progress; admitting at most 40 at once,"
                            + " the rest wait their turn");
        }
        AtomicReference<Boolean> next = new AtomicReference<>();
        starting.admit().subscribe(next::set);
        assertThat(next.get()).as("waits until those in progress are under the limit").isNull();
    }

    @Test
    void beforeAnyPaceIsKnownTheLimitStartsAtTheRequestsInProgress() {
        AdmissionGate starting = new AdmissionGate(properties(4, Duration.ZERO, Duration.ZERO, Duration.ofMillis(10)),
                inFlight, clock::get, paused::get);
        closedLoop(starting, 300, 0, 5, LATE);
        assertThat(starting.limit()).isEqualTo(300);
    }

    private AdmissionGate pacedGate() {
        return new AdmissionGate(properties(4, Duration.ZERO, Duration.ofMillis(50)), inFlight, clock::get,
                paused::get);
    }

    /**
     * Opens {@code connections}, then for {@code ms} answers some each millisecond, each answer
     * bringing its connection's next request; probed every 5 ms.
     */
    private void closedLoop(AdmissionGate gate, int connections, int answersPerMs, int ms, long lag) {
        for (int connection = 0; connection < connections; connection++) {
            assertThat(gate.admitAtOnce()).isTrue();
        }
        for (int elapsed = 1; elapsed <= ms && gate.limit() == AdmissionGate.UNLIMITED; elapsed++) {
            clock.addAndGet(Duration.ofMillis(1).toNanos());
            for (int answer = 0; answer < answersPerMs; answer++) {
                gate.leave();
                assertThat(gate.admitAtOnce()).isTrue();
            }
            if (elapsed % 5 == 0) {
                gate.probed(lag);
            }
        }
    }

    @Test
    void aRequestReadWhileTheProbeIsOverdueByTheShedLagSetsTheLimitAndWaits() {
        admit(20);
        gate.due(clock.get() + Duration.ofMillis(5).toNanos(), paused.get());
        clock.addAndGet(Duration.ofMillis(29).toNanos());
        assertThat(new Admission().answer()).as("24 ms overdue").isTrue();
        assertThat(gate.limit()).isEqualTo(AdmissionGate.UNLIMITED);
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        Admission late = new Admission();
        assertThat(gate.limit()).as("those in progress as it was read").isEqualTo(21);
        assertThat(late.answer()).as("waits its turn").isNull();
        assertThat(inFlight.count()).isEqualTo(21);
    }

    @Test
    void anOverdueProbeThatTheCollectorsPauseExplainsSetsNoLimitAndIsLookedAtAgainOnlyAProbeIntervalOn() {
        AtomicLong pauseReads = new AtomicLong();
        AdmissionGate counting = new AdmissionGate(properties(4), inFlight, clock::get, () -> {
            pauseReads.incrementAndGet();
            return paused.get();
        });
        for (int i = 0; i < 20; i++) {
            assertThat(counting.admitAtOnce()).isTrue();
        }
        counting.due(clock.get() + Duration.ofMillis(5).toNanos(), paused.get());
        paused.addAndGet(Duration.ofMillis(40).toNanos());
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        assertThat(counting.admitAtOnce()).as("45 ms overdue, 40 of them paused").isTrue();
        assertThat(counting.limit()).isEqualTo(AdmissionGate.UNLIMITED);
        long reads = pauseReads.get();
        clock.addAndGet(Duration.ofMillis(4).toNanos());
        assertThat(counting.admitAtOnce()).isTrue();
        assertThat(pauseReads.get()).as("not looked at again within the probe interval").isEqualTo(reads);
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(counting.admitAtOnce()).as("looked at again: still a pause's lag").isTrue();
        assertThat(pauseReads.get()).isGreaterThan(reads);
    }

    @Test
    void anOverdueProbeWithFewRequestsInProgressSetsNoLimit() {
        admit(3);
        gate.due(clock.get(), paused.get());
        clock.addAndGet(Duration.ofMillis(30).toNanos());
        assertThat(new Admission().answer()).isTrue();
        assertThat(gate.limit()).as("a neighbour's lag").isEqualTo(AdmissionGate.UNLIMITED);
    }

    @Test
    void aStoppedProbeLeavesNothingOverdue() {
        admit(20);
        gate.due(clock.get(), paused.get());
        gate.stopped();
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(new Admission().answer()).isTrue();
        assertThat(gate.limit()).isEqualTo(AdmissionGate.UNLIMITED);
    }

    @Test
    void aLagThatLeavesRequestsTheirDeadlineSetsNoLimit() {
        admit(100);
        gate.probed(Duration.ofMillis(24).toNanos());
        assertThat(gate.limit()).as("under the 25 ms shed lag").isEqualTo(AdmissionGate.UNLIMITED);
        gate.probed(Duration.ofMillis(25).toNanos());
        assertThat(gate.limit()).isEqualTo(100);
    }

    @Test
    void itIsLimitingFromWhenTheLimitIsSetUntilItIsLifted() {
        admit(20);
        assertThat(gate.limiting()).as("before").isFalse();
        gate.probed(LATE);
        assertThat(gate.limiting()).as("set").isTrue();
        for (int i = 0; i < 20; i++) {
            gate.leave();
        }
        clock.addAndGet(Duration.ofMillis(30).toNanos());
        gate.probed(PUNCTUAL);
        assertThat(gate.limiting()).as("punctual, not yet for a second").isTrue();
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        gate.probed(PUNCTUAL);
        assertThat(gate.limiting()).as("lifted").isFalse();
    }

    @Test
    void anEpisodeIsLoggedOnceWhenTheLimitIsSetAndOnceWhenItIsLifted() {
        try (LogCapture log = LogCapture.of("dev.namegate.overload")) {
            admit(20);
            gate.probed(LATE);
            clock.addAndGet(Duration.ofMillis(30).toNanos());
            gate.probed(LATE);
            for (int i = 0; i < 20; i++) {
                gate.leave();
            }
            clock.addAndGet(Duration.ofMillis(30).toNanos());
            gate.probed(PUNCTUAL);
            gate.probed(PUNCTUAL);
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            gate.probed(PUNCTUAL);
            assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "overload: event loops 30 ms late with 20 requests in progress; admitting at most 20 at once,"
                            + " the rest wait their turn",
                    "overload: event loops punctual for a second, admitting every request at once again");
        }
    }

    @Test
    void aLiftAfterASecondThatBeganWithTheLineLetInInTimeGivesThatReasonThoughItEndsPunctual() {
        try (LogCapture log = LogCapture.of("dev.namegate.overload")) {
            admit(20);
            gate.probed(LATE);
            gate.probed(SLIGHTLY_LATE); // the limit binds, nobody waits: served at the core's pace, not punctual
            for (int i = 0; i < 20; i++) {
                gate.leave();
            }
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            gate.probed(PUNCTUAL);
            assertThat(gate.limit()).isEqualTo(AdmissionGate.UNLIMITED);
            assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage).last().isEqualTo(
                    "overload: every request let in within 50 ms for a second, admitting every request at once again");
        }
    }

    @Test
    void aLiftAfterASecondThatHadNeitherWayOutThroughoutNamesBoth() {
        try (LogCapture log = LogCapture.of("dev.namegate.overload")) {
            admit(20);
            gate.probed(LATE);
            gate.probed(SLIGHTLY_LATE); // served at the core's pace, not punctual
            Admission waiter = new Admission();
            clock.addAndGet(Duration.ofMillis(60).toNanos());
            gate.leave();
            assertThat(waiter.answer()).as("refused after waiting longer than the queue time").isFalse();
            for (int i = 0; i < 19; i++) {
                gate.leave();
            }
            gate.probed(PUNCTUAL); // punctual, but someone waited too long since the last probe
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            gate.probed(PUNCTUAL);
            assertThat(gate.limit()).isEqualTo(AdmissionGate.UNLIMITED);
            assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage).last().isEqualTo(
                    "overload: event loops punctual or every request let in within 50 ms for a second, admitting"
                            + " every request at once again");
        }
    }

    @Test
    void aRefusalOnArrivalMadeAsTheLimitWasLiftedDoesNotHoldOffTheNextEpisode() {
        assertThat(limitAfterAnEpisodeOf20AndAPunctualSecond()).isEqualTo(AdmissionGate.UNLIMITED);
        gate.refusedOnArrival(); // decided on the limit just lifted

        assertThat(limitAfterAnEpisodeOf20AndAPunctualSecond())
                .as("a second of punctual loops from the first probe of this episode")
                .isEqualTo(AdmissionGate.UNLIMITED);
    }

    /** 20 in progress set a limit, leave, and a second of punctual probes follows. */
    private int limitAfterAnEpisodeOf20AndAPunctualSecond() {
        admit(20);
        gate.probed(LATE);
        assertThat(gate.limit()).isEqualTo(20);
        for (int i = 0; i < 20; i++) {
            gate.leave();
        }
        gate.probed(PUNCTUAL);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        gate.probed(PUNCTUAL);
        return gate.limit();
    }

    @Test
    void aLagUnderOurOwnLoadHoldsNewRequestsBackAndLetsThemInFirstComeFirstServed() {
        admit(6);
        gate.probed(LATE);
        assertThat(gate.limit()).as("what was in progress").isEqualTo(6);

        List<Admission> waiting = admit(3);
        assertThat(waiting).allSatisfy(a -> assertThat(a.answer()).as("waits its turn").isNull());
        assertThat(gate.waiting()).isEqualTo(3);

        gate.leave();
        assertThat(waiting.get(0).answer()).isTrue();
        assertThat(waiting.get(1).answer()).isNull();
        gate.leave();
        gate.leave();
        assertThat(waiting).allSatisfy(a -> assertThat(a.answer()).isTrue());
        assertThat(inFlight.count()).isEqualTo(6);
        assertThat(gate.waiting()).isZero();
    }

    @Test
    void theLimitFallsOnceEvery25msWhileTheLoopsRunLateButNeverBelowTheMinimum() {
        admit(40);
        gate.probed(LATE);
        assertThat(gate.limit()).isEqualTo(40);
        clock.addAndGet(Duration.ofMillis(10).toNanos());
        gate.probed(LATE);
        assertThat(gate.limit()).as("the work admitted before must drain first").isEqualTo(40);
        clock.addAndGet(Duration.ofMillis(15).toNanos());
        gate.probed(LATE);
        assertThat(gate.limit()).isEqualTo(20);
        for (int i = 0; i < 5; i++) {
            clock.addAndGet(Duration.ofMillis(25).toNanos());
            gate.probed(LATE);
        }
        assertThat(gate.limit()).isEqualTo(4);
    }

    /**
     * A thousand answers a second floor the limit at 10 (what 10 ms admits), not at the minimum of
     * 4; two hundred leave the minimum. Either way each request waits 40 ms in line.
     */
    @ParameterizedTest
    @CsvSource({ "50, 40, 1, 10", "12, 12, 5, 4" })
    void theLimitFallsNoFurtherThanWhatItAdmitsInTheFloorTimeAtItsPace(int connections, int inProgress, int everyMs,
            int floor) {
        List<Boolean> answers = closedLoopOnAFlooredGate(connections, inProgress, everyMs);
        assertThat(floored.limit()).isEqualTo(floor);
        int stillWaiting = connections - floor;
        assertThat(answers).hasSize(connections + 2_000 / everyMs - stillWaiting).doesNotContain(false);
    }

    /**
     * A closed loop of {@code connections} against the floored gate, its loops late throughout:
     * {@code inProgress} of them when the limit is set, then for two seconds an answer every
     * {@code everyMs}, each bringing its connection's next request.
     */
    private List<Boolean> closedLoopOnAFlooredGate(int connections, int inProgress, int everyMs) {
        List<Boolean> answers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            if (i == inProgress) {
                floored.probed(LATE);
            }
            floored.admit().subscribe(answers::add);
        }
        if (inProgress == connections) {
            floored.probed(LATE);
        }
        assertThat(floored.limit()).isEqualTo(inProgress);
        for (int ms = 1; ms <= 2_000; ms++) {
            clock.addAndGet(Duration.ofMillis(1).toNanos());
            if (ms % everyMs == 0) {
                floored.leave();
                floored.admit().subscribe(answers::add);
            }
            if (ms % 5 == 0) {
                floored.probed(LATE);
            }
        }
        return answers;
    }

    @Test
    void loopsOnTimeRaiseALimitThatBindsAndLiftItASecondAfterEveryoneWasLetInWithinTheQueueTime() {
        admit(8);
        gate.probed(LATE);
        admit(1); // waiting: the limit binds
        gate.probed(PUNCTUAL);
        assertThat(gate.limit()).as("one step per 25 ms").isEqualTo(8);
        clock.addAndGet(Duration.ofMillis(45).toNanos()); // a wait as long as newcomers are refused after
        gate.probed(PUNCTUAL);
        assertThat(gate.limit()).isEqualTo(16);
        assertThat(gate.waiting()).as("the raise lets the waiting one in").isZero();
        assertThat(inFlight.count()).isEqualTo(9);

        for (int i = 0; i < 9; i++) {
            gate.leave();
        }
        gate.probed(PUNCTUAL);
        // a second from the first probe with the limit set: nobody waited the 50 ms queue time since
        clock.addAndGet(Duration.ofMillis(954).toNanos());
        gate.probed(PUNCTUAL);
        assertThat(gate.limit()).isEqualTo(16);
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        gate.probed(PUNCTUAL);
        assertThat(gate.limit()).isEqualTo(AdmissionGate.UNLIMITED);
        assertThat(new Admission().answer()).isTrue();
    }

    @Test
    void aClosedLoopWhoseLineIsLetInWithinTheQueueTimeIsLetGoAfterASecondThoughTheLimitBinds() {
        try (LogCapture log = LogCapture.of("dev.namegate.overload")) {
            // longer than newcomers are refused after (40 ms), as a closed loop of hundreds waits
            List<Admission> all = closedLoop(4, 9, SLIGHTLY_LATE, Duration.ofMillis(1000));
            assertThat(gate.limit()).as("each waits 45 ms, the first probe after the limit 995 ms ago").isEqualTo(4);
            clock.addAndGet(Duration.ofMillis(5).toNanos());
            gate.probed(SLIGHTLY_LATE);
            assertThat(gate.limit()).isEqualTo(AdmissionGate.UNLIMITED);
            assertThat(all).allSatisfy(a -> assertThat(a.answer()).isTrue());
            assertThat(gate.waiting()).isZero();
            assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage).last().isEqualTo(
                    "overload: every request let in within 50 ms for a second, admitting every request at once again");
        }
    }

    @Test
    void aLineThatWaitsAsLongAsTheQueueTimeKeepsTheLimit() {
        List<Admission> all = closedLoop(4, 10, SLIGHTLY_LATE, Duration.ofSeconds(3));
        assertThat(gate.limit()).as("the first in line waits 50 ms, and its refusal comes straight back").isEqualTo(4);
        assertThat(all).as("a line as long as the queue time: its longest waits refused, about 20 a second")
                .filteredOn(a -> Boolean.FALSE.equals(a.answer())).hasSizeGreaterThanOrEqualTo(50);
    }

    @Test
    void aClosedLoopsLineThatWaitsAsLongAsTheQueueTimeButNotItsOwnIsServedWholeAndLetGoAfterASecond() {
        List<Admission> all = closedLoop(4, 10, SLIGHTLY_LATE, Duration.ofMillis(1100), true);
        assertThat(all).as("each waits 50 ms of its 100").noneMatch(a -> Boolean.FALSE.equals(a.answer()));
        assertThat(gate.limit()).isEqualTo(AdmissionGate.UNLIMITED);
    }

    @Test
    void aClosedLoopsRequestIsRefusedOnlyOnceItHasWaitedItsOwnLongerTimeAndANewcomerBehindItAtItsOwn() {
        admit(4);
        gate.probed(LATE);
        Admission closedLoop = new Admission(true);
        Admission newcomer = new Admission(false);
        Admission laterClosedLoop = new Admission(true);
        clock.addAndGet(Duration.ofMillis(49).toNanos());
        gate.probed(LATE);
        assertThat(newcomer.answer()).as("49 ms").isNull();
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        gate.probed(LATE);
        assertThat(newcomer.answer()).as("50 ms, though a closed loop's came before it").isFalse();
        assertThat(closedLoop.answer()).as("50 ms of its 100").isNull();
        clock.addAndGet(Duration.ofMillis(49).toNanos());
        gate.probed(LATE);
        assertThat(closedLoop.answer()).as("99 ms").isNull();
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        gate.probed(LATE);
        assertThat(closedLoop.answer()).as("100 ms").isFalse();
        assertThat(laterClosedLoop.answer()).isFalse();

        Admission newcomerNow = new Admission(false);
        Admission closedLoopNow = new Admission(true);
        gate.leave();
        assertThat(newcomerNow.answer()).as("the first to come is the first let in, whatever its kind").isTrue();
        assertThat(closedLoopNow.answer()).isNull();
        assertThat(gate.waiting()).isEqualTo(1);
    }

    @Test
    void loopsAsLateAsSetTheLimitKeepItHoweverShortTheLine() {
        closedLoop(4, 1, LATE, Duration.ofSeconds(3));
        assertThat(gate.limit()).isEqualTo(4);
    }

    /**
     * A closed loop of {@code limit + inLine} connections against a limit of {@code limit} (the
     * minimum, so it stays there): every 5 ms one answer lets the first in line in and its
     * connection sends the next request, which waits {@code inLine} turns; a connection whose
     * request was refused sends it again with that answer.
     */
    private List<Admission> closedLoop(int limit, int inLine, long lag, Duration lasting) {
        return closedLoop(limit, inLine, lag, lasting, false);
    }

    /** As above, its requests taken for a closed loop's ({@code closed-loop-within}) or not. */
    private List<Admission> closedLoop(int limit, int inLine, long lag, Duration lasting, boolean takenForOne) {
        List<Admission> all = new ArrayList<>(admit(limit));
        gate.probed(LATE);
        assertThat(gate.limit()).isEqualTo(limit);
        for (int i = 0; i < inLine; i++) {
            all.add(new Admission(takenForOne));
        }
        long refused = 0;
        for (long ms = 5; ms <= lasting.toMillis(); ms += 5) {
            clock.addAndGet(Duration.ofMillis(5).toNanos());
            gate.leave();
            all.add(new Admission(takenForOne));
            long refusedNow = all.stream().filter(a -> Boolean.FALSE.equals(a.answer())).count();
            for (; refused < refusedNow; refused++) {
                all.add(new Admission(takenForOne));
            }
            gate.probed(lag);
        }
        return all;
    }

    @Test
    void refusalsOnArrivalKeepTheLimitAsIfItBound() {
        admit(8);
        gate.probed(LATE);
        for (int i = 0; i < 8; i++) {
            gate.leave(); // nobody in progress, nobody waiting: only the door holds demand off
        }
        for (int ms = 0; ms < 2000; ms += 5) {
            gate.refusedOnArrival();
            clock.addAndGet(Duration.ofMillis(5).toNanos());
            gate.probed(PUNCTUAL);
        }
        assertThat(gate.limit()).as("kept, not raised: the limit itself was not reached").isEqualTo(8);

        clock.addAndGet(Duration.ofMillis(5).toNanos());
        gate.probed(PUNCTUAL); // the refusal before the last probe still counted; from here none
        clock.addAndGet(Duration.ofMillis(999).toNanos());
        gate.probed(PUNCTUAL);
        assertThat(gate.limit()).isNotEqualTo(AdmissionGate.UNLIMITED);
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        gate.probed(PUNCTUAL);
        assertThat(gate.limit()).as("a second without refusals on arrival lifts it").isEqualTo(AdmissionGate.UNLIMITED);
    }

    @Test
    void noRequestIsRefusedBeforeItHasWaitedHoweverLongTheQueue() {
        admit(4);
        gate.probed(LATE);
        List<Admission> waiting = admit(1_000);
        assertThat(waiting).allSatisfy(a -> assertThat(a.answer()).isNull());
        assertThat(gate.waiting()).isEqualTo(1_000);
    }

    @Test
    void aRequestThatHasWaitedTheQueueTimeIsRefusedAndTheNextStillWaits() {
        admit(4);
        gate.probed(LATE);
        Admission first = new Admission();
        clock.addAndGet(Duration.ofMillis(20).toNanos());
        Admission second = new Admission();
        clock.addAndGet(Duration.ofMillis(29).toNanos());
        gate.probed(LATE);
        assertThat(first.answer()).as("49 ms").isNull();
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        gate.probed(LATE);
        assertThat(first.answer()).as("50 ms").isFalse();
        assertThat(second.answer()).as("30 ms").isNull();
        assertThat(inFlight.count()).as("a refusal is not in progress").isEqualTo(4);
    }

    @Test
    void theCollectorsPausesAreNotCountedAsWaiting() {
        admit(4);
        gate.probed(LATE);
        Admission before = new Admission();
        clock.addAndGet(Duration.ofMillis(20).toNanos());
        paused.addAndGet(Duration.ofMillis(20).toNanos()); // the line stood still
        Admission after = new Admission();
        clock.addAndGet(Duration.ofMillis(40).toNanos());
        gate.probed(LATE);
        assertThat(before.answer()).as("60 ms, 20 of them paused").isNull();
        assertThat(after.answer()).as("40 ms").isNull();
        clock.addAndGet(Duration.ofMillis(10).toNanos());
        gate.probed(LATE);
        assertThat(before.answer()).as("70 ms, 20 of them paused").isFalse();
        assertThat(after.answer()).as("50 ms, none paused").isFalse();
    }

    @Test
    void aRequestWhoseClientLeftStopsWaiting() {
        admit(4);
        gate.probed(LATE);
        Admission gone = new Admission();
        Admission next = new Admission();
        gone.subscription.dispose();
        assertThat(gate.waiting()).isEqualTo(1);
        gate.leave();
        assertThat(next.answer()).isTrue();
        assertThat(gone.answer()).isNull();
    }

    @Test
    void aClientThatGaveUpAfterWaitingTheQueueTimeKeepsTheLimitAsARefusalWould() {
        admit(4);
        gate.probed(LATE);
        Admission gone = new Admission();
        for (int ms = 5; ms <= 50; ms += 5) {
            clock.addAndGet(Duration.ofMillis(5).toNanos());
            if (ms == 50) {
                gone.subscription.dispose(); // waited the 50 ms queue time, not refused yet
            }
            gate.probed(SLIGHTLY_LATE);
        }
        for (int ms = 55; ms <= 1010; ms += 5) {
            clock.addAndGet(Duration.ofMillis(5).toNanos());
            gate.probed(SLIGHTLY_LATE);
        }
        assertThat(gate.limit()).as("a second since the line was first served at pace, not since the give-up")
                .isEqualTo(4);
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        gate.probed(SLIGHTLY_LATE);
        assertThat(gate.limit()).as("a second after the give-up").isEqualTo(AdmissionGate.UNLIMITED);
    }

    @Test
    void whenTheProbeStopsEveryoneWaitingIsLetIn() {
        admit(4);
        gate.probed(LATE);
        List<Admission> waiting = admit(5);
        gate.stopped();
        assertThat(waiting).allSatisfy(a -> assertThat(a.answer()).isTrue());
        assertThat(gate.limit()).isEqualTo(AdmissionGate.UNLIMITED);
        assertThat(inFlight.count()).isEqualTo(9);
    }

    @Test
    void aShutGateAdmitsNobodyIsNeverSteeredRefusesWhoWaitedAndRefusesItsLineWhenTheProbeStops() {
        AdmissionGate shut = AdmissionGate.shut(properties(4), clock::get, paused::get);
        List<Boolean> answers = new ArrayList<>();
        shut.admit().subscribe(answers::add);
        for (int i = 0; i < 10; i++) {
            shut.probed(i % 2 == 0 ? LATE : PUNCTUAL);
        }
        assertThat(shut.limit()).as("never steered").isZero();
        assertThat(answers).isEmpty();
        clock.addAndGet(Duration.ofMillis(50).toNanos());
        shut.probed(PUNCTUAL);
        assertThat(answers).as("refused after the shed queue time").containsExactly(false);

        shut.admit().subscribe(answers::add);
        shut.stopped();
        assertThat(answers).as("a stopped probe refuses its line instead of letting it in").containsExactly(false, false);
        assertThat(shut.waiting()).isZero();
    }
}
