package dev.namegate.overload;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * How this process notices that it, not the internal service, is the slow part, and what it does
 * then ({@code namegate.overload.*}).
 *
 * @param enabled probe the event loops and shed load when they lag (default true)
 * @param probeInterval how often each event loop is probed (default 5 ms)
 * @param lagThreshold a probe this late means the loops ran late: timeouts are put down to us, no
 *     hedge is sent (default 10 ms)
 * @param shedLagThreshold a probe this late means requests now wait long enough to risk their
 *     deadline: the requests admitted at once are limited, and the limit steered once per this
 *     time while it lasts; a busy core's loops run a few milliseconds late while every request
 *     still finishes in time (default 25 ms)
 * @param hold how long after a late probe timeouts are still put down to our own lag (default 250 ms)
 * @param limitDecrease the limit's factor at each step with the loops late ({@code lagThreshold})
 *     (default 0.9)
 * @param limitIncrease the limit's factor at each step with the loops on time while it binds, at
 *     least one more (default 1.1)
 * @param retryAfter what a refusal's {@code Retry-After} says, whole seconds (default 1 s)
 * @param shedMinInFlight a limit is set only while at least this many requests are in progress,
 *     and never falls below it: a lag with little load of our own is a neighbour's doing, and
 *     holding requests back would not help (default 16)
 * @param shedMinTimeInProgress nor is a limit set unless the requests in progress, at the pace
 *     requests finish, take at least this long to leave: a closed loop of a few hundred
 *     connections that the core serves within this time keeps the loops late, since each pass
 *     over its sockets is long, yet no request risks its deadline, and a limit would only add a
 *     line to its cost. At twice the sustainable rate the requests in progress grow slower than
 *     the excess (the rest wait unread in the sockets): at 50 ms the limit came 120-760 ms into
 *     an overload, and the answers of that onset set its p99 (default 25 ms)
 * @param limitFloorTime nor does the limit fall below the requests admitted in this time at the
 *     pace it admits them: a closed loop of a few hundred connections keeps the loops late however few are
 *     admitted, and a limit under that pace only slows a core that finishes what it admits this
 *     soon, and lengthens the line until its waits are refused. With {@code closedLoopQueueTime}
 *     it makes up the time in progress from which a closed loop is refused: one whose requests
 *     leave within 75 ms at the core's pace (by default) may be limited, but is never refused
 *     after its wait, however late its loops. Under twice the sustainable rate it is about the
 *     time an admitted request spends in progress; zero leaves only {@code shedMinInFlight}
 *     (default 15 ms)
 * @param limitStartTime the limit starts at what the core finishes in this time at its pace, or at
 *     the requests in progress if fewer: those in progress when the limit is set already take
 *     {@code shedMinTimeInProgress} to leave, and a limit started there would let a request
 *     that waited its turn in line wait as long again in progress; zero starts it at the requests
 *     in progress (default 15 ms, the floor)
 * @param shedQueueTime the longest a request waits for its turn: one that has waited this long is
 *     refused, since it would hardly finish in time: under twice the sustainable rate a request
 *     let in after a longer wait still spends tens of milliseconds in progress, and a collector's
 *     pause on top took it past 100 ms. A second in which nobody waits this long, nobody is
 *     refused on arrival and no probe is {@code shedLagThreshold} late lifts the limit: a closed
 *     loop served at the core's pace. A closed loop's request waits {@code closedLoopQueueTime}
 *     instead. With 30 ms and the limit's floor and start at 20, twice the sustainable rate met
 *     p99 100 ms in 5 overloads of 12; with 20 ms and 15, in 10 of 10, though on a slow host
 *     with less goodput (docs/benchmarks.md) (default 20 ms)
 * @param refuseNewcomersAfter while the request first in line has waited this long, or those in
 *     line would take this long to let in at the pace the gate lets them in, a new request is
 *     refused as it arrives, on the connection, before any work is spent on it: it would wait
 *     about as long. Below the shed queue time, so that under twice the sustainable rate the queue
 *     settles here and more refusals are this cheap kind. The first's wait alone let in those
 *     that came while it had waited less; at two or three times the rate the last of them waited
 *     two or three times this and past the shed queue time, refused then through WebFlux. A
 *     closed loop's line waits as long, but its requests are not refused here
 *     ({@code closedLoopWithin}) (default 7 ms)
 * @param refuseNewcomersFor new requests are refused on arrival only this long after the gate
 *     last refused one that had waited the shed queue time: only while more arrive than the core
 *     can serve, not while a closed loop's line, however long, is served within that time
 *     (default 1 s)
 * @param refuseNewcomersShare and only while at least this share of the requests the line saw
 *     over about the last {@code refuseNewcomersFor} (let in, refused after their wait or on
 *     arrival) were refused: more arrive than the core can serve (at twice the sustainable rate
 *     half are refused), not a stall that made a closed loop's line a few milliseconds too long.
 *     A closed loop sends each refusal straight back, so refusing its newcomers frees no time and
 *     costs goodput. Refusals on arrival count, or the door would stay open only while a tenth of
 *     the line was refused after its wait, the dearer way (default 0.1)
 * @param refuseAgainAfter a connection's request within this time of a refusal on arrival on it
 *     waits its turn in the gate instead: a client that sends again at once (a closed loop) would
 *     spin on refusals; one that comes back later is a newcomer again (default 10 ms)
 * @param closedLoopWithin nor is a request refused on arrival within this time of an answer its
 *     connection had, other than such a refusal: it comes from a client that asks again once
 *     answered (a closed loop), which keeps at most one request in the service however slow the
 *     answers, so it adds no excess, and a refusal would only bring it straight back. It waits
 *     its turn in the gate, up to {@code closedLoopQueueTime}. The next request
 *     of a closed loop is read within a pass or two over the sockets (tens of milliseconds at a
 *     few hundred connections on a busy core); a pooled client of an open loop reuses a
 *     connection after the rest of its pool, about its idle connections over its rate (4,096
 *     over 15,000/s is 270 ms). A pool so small that its connections come back within this time
 *     is taken for a closed loop; zero takes nobody for one (default 100 ms, the deadline)
 * @param closedLoopQueueTime the longest such a request of a closed loop waits for its turn, in
 *     place of the shed queue time: refusing it frees no time, since it comes straight back, so
 *     it waits as long as its answer can still come in time. A closed loop's line waits
 *     (connections - limit) / pace however well the core serves it: 256 connections on half a
 *     core, about 30 ms (default 60 ms, at least the shed queue time)
 * @param cap the cap on a closed loop's requests in progress on each event loop while it is busy
 *     all the time ({@link InProgressCap})
 */
@Validated
@ConfigurationProperties("namegate.overload")
public record OverloadProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("5ms") Duration probeInterval,
        @NotNull @DefaultValue("10ms") Duration lagThreshold,
        @NotNull @DefaultValue("25ms") Duration shedLagThreshold,
        @NotNull @DefaultValue("250ms") Duration hold,
        @DecimalMin("0.1") @DecimalMax("0.99") @DefaultValue("0.9") double limitDecrease,
        @DecimalMin("1.01") @DecimalMax("2") @DefaultValue("1.1") double limitIncrease,
        @NotNull @DefaultValue("1s") Duration retryAfter,
        @Min(0) @DefaultValue("16") int shedMinInFlight,
        @NotNull @DefaultValue("25ms") Duration shedMinTimeInProgress,
        @NotNull @DefaultValue("15ms") Duration limitFloorTime,
        @NotNull @DefaultValue("15ms") Duration limitStartTime,
        @NotNull @DefaultValue("20ms") Duration shedQueueTime,
        @NotNull @DefaultValue("7ms") Duration refuseNewcomersAfter,
        @NotNull @DefaultValue("1s") Duration refuseNewcomersFor,
        @DecimalMin("0") @DecimalMax("1") @DefaultValue("0.1") double refuseNewcomersShare,
        @NotNull @DefaultValue("10ms") Duration refuseAgainAfter,
        @NotNull @DefaultValue("100ms") Duration closedLoopWithin,
        @NotNull @DefaultValue("60ms") Duration closedLoopQueueTime,
        @Valid @NotNull @DefaultValue Cap cap) {

    public OverloadProperties {
        if (probeInterval.toNanos() < 1_000_000L) {
            throw new IllegalArgumentException("namegate.overload.probe-interval must be at least 1ms");
        }
        if (lagThreshold.compareTo(probeInterval) < 0) {
            throw new IllegalArgumentException(
                    "namegate.overload.lag-threshold must be at least the probe interval (" + probeInterval + ")");
        }
        if (shedLagThreshold.compareTo(lagThreshold) < 0) {
            throw new IllegalArgumentException(
                    "namegate.overload.shed-lag-threshold must be at least the lag threshold (" + lagThreshold + ")");
        }
        if (retryAfter.toSeconds() < 1) {
            throw new IllegalArgumentException("namegate.overload.retry-after must be at least 1s");
        }
        if (shedMinTimeInProgress.isNegative()) {
            throw new IllegalArgumentException("namegate.overload.shed-min-time-in-progress must not be negative");
        }
        if (shedQueueTime.toNanos() < 1_000_000L) {
            throw new IllegalArgumentException("namegate.overload.shed-queue-time must be at least 1ms");
        }
        if (refuseNewcomersAfter.toNanos() < 1_000_000L || refuseNewcomersAfter.compareTo(shedQueueTime) > 0) {
            throw new IllegalArgumentException("namegate.overload.refuse-newcomers-after must be at least 1ms and at most"
                    + " the shed queue time (" + shedQueueTime + ")");
        }
        requireUnderQueueTime("limit-floor-time", limitFloorTime, shedQueueTime);
        requireUnderQueueTime("limit-start-time", limitStartTime, shedQueueTime);
        if (refuseNewcomersFor.toNanos() < 1_000_000L) {
            throw new IllegalArgumentException("namegate.overload.refuse-newcomers-for must be at least 1ms");
        }
        if (refuseAgainAfter.isNegative()) {
            throw new IllegalArgumentException("namegate.overload.refuse-again-after must not be negative");
        }
        if (closedLoopWithin.isNegative()) {
            throw new IllegalArgumentException("namegate.overload.closed-loop-within must not be negative");
        }
        if (closedLoopQueueTime.compareTo(shedQueueTime) < 0) {
            throw new IllegalArgumentException("namegate.overload.closed-loop-queue-time must be at least the shed queue time ("
                    + shedQueueTime + ")");
        }
        if (hold.compareTo(lagThreshold) < 0) {
            throw new IllegalArgumentException("namegate.overload.hold must be at least the lag threshold");
        }
    }

    /**
     * The cap on requests in progress on each event loop ({@code namegate.overload.cap.*}), steered
     * by the loop's busy share ({@link InProgressCap}).
     *
     * @param enabled cap them at all (default true); off, every request goes on as it is read
     * @param floor the cap never falls below this: at 16 connections one core was already busy all
     *     the time, and a cap of 32 cost a miss at 256 connections a tenth less than none, 128 no
     *     less (docs/benchmarks.md) (default 32)
     * @param busyShare the loop's thread on CPU for at least this share of the wall time is busy
     *     all the time: 0.97 saturated; with every answer of the internal service 15 ms late, 0.5
     *     at 64 connections and 0.93 at 256, where a cap engaged at 0.9 cost 11-18% of the
     *     answers and at 0.95 none (default 0.95)
     * @param decrease the cap's factor at each step the loop is busy (default 0.9)
     * @param increase the cap's factor at each step the loop has time while requests wait: it
     *     grows faster than it shrinks, since a cap that binds while the internal service is slow
     *     throttles it (default 1.25)
     * @param step how often the cap is steered (default 100 ms)
     */
    public record Cap(
            @DefaultValue("true") boolean enabled,
            @Min(1) @DefaultValue("32") int floor,
            @DecimalMin("0.5") @DecimalMax("1") @DefaultValue("0.95") double busyShare,
            @DecimalMin("0.1") @DecimalMax("0.99") @DefaultValue("0.9") double decrease,
            @DecimalMin("1.01") @DecimalMax("4") @DefaultValue("1.25") double increase,
            @NotNull @DefaultValue("100ms") Duration step) {

        public Cap {
            if (step.toMillis() < 10) {
                throw new IllegalArgumentException("namegate.overload.cap.step must be at least 10ms");
            }
        }

        /** The settings of one loop's cap. */
        InProgressCap.Settings settings() {
            return new InProgressCap.Settings(floor, busyShare, decrease, increase, step.toNanos());
        }
    }

    /** A limit's time, in pace: at least zero, and under the longest a request waits in line. */
    private static void requireUnderQueueTime(String name, Duration time, Duration shedQueueTime) {
        if (time.isNegative() || time.compareTo(shedQueueTime) >= 0) {
            throw new IllegalArgumentException("namegate.overload." + name + " must not be negative and must be under"
                    + " the shed queue time (" + shedQueueTime + ")");
        }
    }
}
