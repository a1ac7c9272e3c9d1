package dev.namegate.upstream;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.scheduler.Scheduler;

/**
 * Paces attempts toward the internal service, which allows a fixed rate across all our replicas.
 * The allowed rate adapts like TCP's congestion control: a 429 cuts it, success raises it, up to a
 * ceiling. Each replica adapts on its own, so N replicas converge on their share of the upstream's
 * limit without coordination.
 *
 * <p>A cut looks at what was really sent (the last second's permits), as the AWS SDK's adaptive
 * mode does:
 * <ul>
 *   <li>Sending at the allowed rate, the rate itself is too high: it is multiplied by the decrease
 *       factor, below the demand if need be. That is how replicas sharing one limit converge, and
 *       how an overload sheds load. The same happens when 429s keep coming cut after cut.</li>
 *   <li>Sending below the allowed rate, pacing held nothing back: the 429 came from a burst (a
 *       retry right behind its failure, next to another request, or jitter on the way). The limit
 *       lies between what was sent and the allowed rate, so the rate is cut toward what was sent
 *       but kept above it (the demand does not wait), and the 429's rate becomes the plateau.</li>
 *   <li>Far above what was sent (the default ceiling), the allowed rate says nothing: the rate
 *       drops to twice the traffic, keeping room for it, until 429s place the limit.</li>
 *   <li>Right after our own event loops stalled (the JIT or a pause took the CPU), the sends that
 *       met the 429 left late and together, and the last second's count is depressed by the
 *       stall: the rate is kept. It still counts as a cut, so 429s that keep coming escalate.</li>
 * </ul>
 * Success raises the rate quickly back up to just under the plateau ({@code recoveryPerSecond}),
 * then probes above it slowly ({@code probePerSecond}), like CUBIC's plateau, so a rate just under
 * the limit is kept instead of being lost to a 429 every second.
 *
 * <p>Permits follow the generic cell rate algorithm: a permit is a time slot; the limiter reserves
 * the next free one and says how long to wait for it, so callers wait without blocking (with
 * {@code Mono.delay}) and a caller whose slot lies past its deadline is refused at once. A rate
 * change applies to the next reservation. Written by hand because no library combines a rate that
 * changes on every answer with non-blocking reservations.
 */
public final class AdaptiveRateLimiter {

    /** Ten whole 100 ms slots make the last second; one more is being filled. */
    private static final int SLOTS = 11;
    private static final long SLOT_NANOS = 100_000_000L;
    /** Sending within this factor of the allowed rate counts as being held back by it. */
    private static final double RATE_BOUND = 1.1;
    /** Three 429s, each this soon after the cut before, mean cutting toward the traffic is not enough. */
    private static final long ESCALATION_NANOS = 1_000_000_000L;
    /** Recovery is fast up to this share of the plateau, probing beyond it. */
    private static final double PLATEAU_SHARE = 0.95;

    /** The allowed rate, the next free permit slot, the last cut and rise, and the plateau. */
    private record State(double ratePerSecond, long nextFreeNanos, long lastDecreaseNanos, long lastIncreaseNanos,
            double plateau, int quickCuts) {
    }

    /** Hears rate cuts (to log them); called outside any lock. */
    @FunctionalInterface
    public interface RateListener {
        void rateCut(double from, double to);
    }

    private final Scheduler clock;
    private final double ceiling;
    private final double floor;
    private final double decreaseFactor;
    private final double recoveryPerSecond;
    private final double probePerSecond;
    private final double burst;
    private final long decreaseCooldownNanos;
    private final RateListener listener;
    private final AtomicReference<State> state;
    /** Permits given per 100 ms slot over the last second, for the measured send rate. */
    private final AtomicLongArray sentPerSlot = new AtomicLongArray(SLOTS);
    private final AtomicLongArray slotEpochs = new AtomicLongArray(SLOTS);

    /**
     * @param ceiling highest rate, requests/s
     * @param floor lowest rate, requests/s
     * @param decreaseFactor rate multiplier when the rate itself is too high (e.g. 0.7)
     * @param recoveryPerSecond rate added per second of success below the plateau
     * @param probePerSecond rate added per second of success above it
     * @param burst permits that may be taken at once after a quiet spell (at least 1)
     * @param decreaseCooldownNanos 429s within this time of a cut are one congestion event
     */
    public AdaptiveRateLimiter(double ceiling, double floor, double decreaseFactor, double recoveryPerSecond,
            double probePerSecond, double burst, long decreaseCooldownNanos, Scheduler clock, RateListener listener) {
        if (!(floor > 0 && floor <= ceiling) || !(decreaseFactor > 0 && decreaseFactor < 1) || recoveryPerSecond < 0
                || probePerSecond < 0 || burst < 1) {
            throw new IllegalArgumentException("rate limiter needs 0 < floor <= ceiling, 0 < factor < 1, burst >= 1");
        }
        this.ceiling = ceiling;
        this.floor = floor;
        this.decreaseFactor = decreaseFactor;
        this.recoveryPerSecond = recoveryPerSecond;
        this.probePerSecond = probePerSecond;
        this.burst = burst;
        this.decreaseCooldownNanos = decreaseCooldownNanos;
        this.clock = clock;
        this.listener = listener;
        long now = now();
        this.state = new AtomicReference<>(new State(ceiling, now, now - ESCALATION_NANOS - decreaseCooldownNanos, now,
                ceiling, 0));
    }

    /**
     * Reserves a permit.
     *
     * @param maxWaitNanos the longest the caller can wait
     * @return nanoseconds to wait before using the permit (0 = now), or -1 when no permit is free
     *         within {@code maxWaitNanos} (nothing is reserved then)
     */
    public long reserve(long maxWaitNanos) {
        while (true) {
            State s = state.get();
            long now = now();
            long interval = (long) (1e9 / s.ratePerSecond());
            // a quiet spell lets up to `burst` permits go at once, never more
            long earliest = Math.max(s.nextFreeNanos(), now - (long) ((burst - 1) * interval));
            long wait = Math.max(0, earliest - now);
            if (wait > maxWaitNanos) {
                return -1;
            }
            if (state.compareAndSet(s, new State(s.ratePerSecond(), earliest + interval, s.lastDecreaseNanos(),
                    s.lastIncreaseNanos(), s.plateau(), s.quickCuts()))) {
                countSent(earliest);
                return wait;
            }
        }
    }

    /** Nanoseconds until the next permit is free (0 = now), reserving nothing. */
    public long nanosUntilFree() {
        State s = state.get();
        long now = now();
        long interval = (long) (1e9 / s.ratePerSecond());
        long earliest = Math.max(s.nextFreeNanos(), now - (long) ((burst - 1) * interval));
        return Math.max(0, earliest - now);
    }

    /** An attempt got an answer that was not a 429: raise the rate. */
    public void onSuccess() {
        while (true) {
            State s = state.get();
            if (s.ratePerSecond() >= ceiling) {
                return;
            }
            long now = now();
            double seconds = (now - s.lastIncreaseNanos()) / 1e9;
            if (seconds < 0.001) {
                return; // too little time has passed to add anything worth a CAS
            }
            double knee = s.plateau() * PLATEAU_SHARE;
            double raised = s.ratePerSecond() < knee
                    ? Math.min(knee, s.ratePerSecond() + recoveryPerSecond * seconds)
                    : s.ratePerSecond() + probePerSecond * seconds;
            raised = Math.min(ceiling, raised);
            if (state.compareAndSet(s, new State(raised, s.nextFreeNanos(), s.lastDecreaseNanos(), now, s.plateau(),
                    s.quickCuts()))) {
                return;
            }
        }
    }

    /** The upstream answered 429: cut the rate, once per congestion event. */
    public void onRateLimited() {
        onRateLimited(false);
    }

    /**
     * The upstream answered 429.
     *
     * @param afterOwnStall our own event loops ran late just now (whatever the load)
     */
    public void onRateLimited(boolean afterOwnStall) {
        while (true) {
            State s = state.get();
            long now = now();
            long sinceCut = now - s.lastDecreaseNanos();
            if (sinceCut < decreaseCooldownNanos) {
                return;
            }
            double rate = s.ratePerSecond();
            double measured = measuredRate(now);
            int quickCuts = sinceCut < ESCALATION_NANOS ? s.quickCuts() + 1 : 0;
            double cut;
            double plateau = s.plateau();
            if (quickCuts < 2 && rate <= 2 * measured && afterOwnStall) {
                // our stall bunched the sends: not the rate's fault, and `measured` is low (far
                // above the traffic, the next branches still place the limit from what was sent)
                cut = rate;
            } else if (rate <= measured * RATE_BOUND || quickCuts >= 2) {
                // the rate itself is too high (or cut after cut did not help): shed load
                cut = rate * decreaseFactor;
                plateau = rate;
            } else if (rate > 2 * measured) {
                // far above what was sent: the allowed rate says nothing about the limit; start
                // from twice the traffic (room for it) and let the next 429s place the limit
                cut = 2 * measured;
            } else {
                // a burst: the limit lies between what was sent and the allowed rate
                cut = Math.max(measured * RATE_BOUND, rate * decreaseFactor);
                plateau = rate * PLATEAU_SHARE;
            }
            cut = Math.max(floor, Math.min(rate, cut));
            if (state.compareAndSet(s, new State(cut, s.nextFreeNanos(), now, now, plateau, quickCuts))) {
                if (cut < rate) {
                    listener.rateCut(rate, cut);
                }
                return;
            }
        }
    }

    /** The rate allowed now, requests/s. */
    public double rate() {
        return state.get().ratePerSecond();
    }

    private void countSent(long atNanos) {
        long slot = atNanos / SLOT_NANOS;
        int index = (int) Math.floorMod(slot, (long) SLOTS);
        long epoch = slotEpochs.get(index);
        if (epoch != slot && slotEpochs.compareAndSet(index, epoch, slot)) {
            sentPerSlot.set(index, 0);
        }
        sentPerSlot.incrementAndGet(index);
    }

    /** Permits given over the last whole second (the slot being filled left out), requests/s. */
    double measuredRate(long nowNanos) {
        long current = nowNanos / SLOT_NANOS;
        long sent = 0;
        for (int i = 0; i < SLOTS; i++) {
            long age = current - slotEpochs.get(i);
            if (age >= 1 && age < SLOTS) {
                sent += sentPerSlot.get(i);
            }
        }
        return Math.max(floor, sent * (1e9 / ((SLOTS - 1) * SLOT_NANOS)));
    }

    private long now() {
        return clock.now(TimeUnit.NANOSECONDS);
    }
}
