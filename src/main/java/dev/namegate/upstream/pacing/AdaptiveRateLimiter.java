package dev.namegate.upstream.pacing;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.scheduler.Scheduler;

import dev.namegate.upstream.UpstreamProperties;

/**
 * Paces attempts toward the internal service, which allows a fixed rate across all our replicas.
 * The allowed rate adapts like TCP's congestion control: a 429 cuts it, success raises it, up to a
 * ceiling. Each replica adapts on its own, so N replicas converge on their share of the upstream's
 * limit without coordination.
 *
 * <p>A cut looks at what was really sent: all permits, to tell whether pacing held anything back,
 * and the demand, i.e. the attempts a lookup cannot do without (first attempts and retries, not
 * hedges, which take whatever is free and so grow with any allowance: a floor set by them would
 * never let a cut bite), counted both as permits given and as permits asked for (after a cut below
 * the need, fewer are given than asked), over the last second and averaged over a longer window
 * ({@code demandWindow}) so that one quiet second before a 429 says nothing, and over the last
 * few hundred milliseconds so that a demand that has just risen (the internal service degrades:
 * retries, then 429s) is not paced at the quieter time before it.
 * <ul>
 *   <li>When 429s make a good share of the last second's answers, what is sent is above the limit
 *       whatever the allowance (the demand itself exceeds it): the rate is cut multiplicatively from
 *       what was sent, and the demand no longer holds the cut up.</li>
 *   <li>Sending at the allowed rate, the rate itself is too high: it is multiplied by the decrease
 *       factor, below the demand if need be. That is how replicas sharing one limit converge, and
 *       how an overload sheds load. The same happens when 429s keep coming cut after cut.</li>
 *   <li>Sending below the allowed rate (over the last few slots, the last second and the
 *       demand window), pacing held nothing back: what was sent mostly passed and the 429 came
 *       from how it bunched up (a retry right behind its failure, next to another request, or
 *       jitter on the way), whatever the allowed rate or the last limit found. The rate is set
 *       just above what was sent and the demand, which smooths the bunching, and becomes the
 *       plateau's knee, so probing resumes from there. (Cutting a rate that never shaped the
 *       traffic by a few percent would let the bunching and its 429s go on.)</li>
 *   <li>Far above the demand (the default ceiling), the allowed rate says nothing: the rate drops
 *       to twice the demand, keeping room for it, until 429s place the limit.</li>
 *   <li>Right after our own event loops stalled (the JIT or a pause took the CPU), the sends that
 *       met the 429 left late and together, and the last second's count is depressed by the
 *       stall: the rate is kept. It still counts as a cut, so 429s that keep coming escalate.</li>
 * </ul>
 * No cut goes below 95% of what the internal service has just let through its limit (sent and not
 * refused over the last second, answered or not): that is below the limit already, whether it is
 * ours alone or shared with other replicas, and a deeper cut only starves the lookups. A limit that
 * fell shows in what passed, so cut after cut still follows it down.
 *
 * <p>Success raises the rate quickly back up to just under the plateau ({@code recoveryPerSecond}),
 * then probes above it slowly ({@code probePerSecond}), like CUBIC's plateau, so a rate just under
 * the limit is kept instead of being lost to a 429 every second. It probes only while the permits
 * sent or asked for over the last second reach 95% of the rate: below that pacing holds nothing
 * back, and a higher allowance would only let bunched sends (a retry right behind its failure)
 * meet the limit again.
 *
 * <p>The plateau is forgotten once no 429 has come for {@code forgetAfter}: the internal team may
 * have raised the limit, or the incident ended. From then on the rate grows, shaped like CUBIC's:
 * by a fifth of the last limit per second while within a tenth above it (a limit still there is
 * found again by a small overshoot, a 429 or two), then by {@code growthPerSecond} per second
 * (slow start). A growth begins only while the traffic presses on the rate as above, and goes on
 * only while the traffic uses at least half of it: an unused allowance proves nothing and would
 * only let bursts through (RFC 7661's rule for a congestion window the sender does not fill). The
 * cost: a demand that doubles at once after an incident meets a rate at most about twice its old
 * level (nearer it when nothing has pressed since the last cut), so some of its attempts wait or
 * go without a permit for the second or so the growth takes. A 429 during that growth goes back
 * to the rate that held before it, never lower than the normal cut, so re-finding a limit that
 * is still there costs a 429 or two.
 *
 * <p>Once no 429 has come for {@code releaseAfter} (30 s by default), pacing is lifted: the rate
 * returns to the ceiling, as at start. Left alone, the rate would stay near the demand the
 * incident last saw for as long as the traffic does not press on it, and a demand that later rises
 * faster than the rate grows (four times over, at the day's peak) would wait for permits, and miss
 * its deadlines, because of an incident long over. A limit still there is placed again by the
 * first 429s, as at start.
 *
 * <p>Permits follow the generic cell rate algorithm: a permit is a time slot; the limiter reserves
 * the next free one and says how long to wait for it, so callers wait without blocking (with
 * {@code Mono.delay}) and a caller whose slot lies past its deadline is refused at once. A rate
 * change applies to the next reservation. Written by hand because no library combines a rate that
 * changes on every answer with non-blocking reservations.
 *
 * <p>Longer than most classes: the rate, its plateau, the demand and the growth change together in one compare-and-set, and each branch of a cut says why it is there.
 */
public final class AdaptiveRateLimiter {

    private static final long SLOT_NANOS = 100_000_000L;
    private static final int SLOTS_PER_SECOND = 10;
    /** Sending within this factor of the allowed rate counts as being held back by it. */
    private static final double RATE_BOUND = 1.1;
    /** Three 429s, each this soon after the cut before, mean cutting toward the demand is not enough. */
    private static final long ESCALATION_NANOS = 1_000_000_000L;
    /** The shortest window, in slots, over which sending at the allowed rate counts as being held back by it. */
    private static final int PACED_SLOTS = 3;
    /** The whole slots before the one being filled over which a demand that just rose is measured. */
    private static final int RISE_SLOTS = 2;
    /** Recovery is fast up to this share of the plateau, probing beyond it. */
    private static final double PLATEAU_SHARE = 0.95;
    /** The forgotten plateau grows only while the permits sent (hedges too) use at least this share of the rate. */
    private static final double GROWTH_USE = 0.5;
    /**
     * Probing above the plateau, and a growth once it is forgotten, begin only while the permits
     * sent or asked for over the last second reach this share of the rate: below it nothing is held
     * back, and a higher allowance only lets bunched sends through to meet the limit again.
     */
    private static final double PRESSING_USE = 0.95;
    /** Once the last limit is forgotten, the growth is linear up to this multiple of it, then multiplicative. */
    private static final double NEAR_PLATEAU = 1.1;
    /** The linear growth near the last limit, per second, as a share of it. */
    private static final double NEAR_PLATEAU_GROWTH = 0.2;
    /** 429s making at least this share of the last second's answers mean what is sent is above the limit. */
    private static final double OVER_LIMIT_SHARE = 0.05;
    /** Answers per second below which their share of 429s says nothing. */
    private static final double OVER_LIMIT_EVIDENCE = 20;
    private static final double NONE = Double.POSITIVE_INFINITY;

    /**
     * The allowed rate and the next free permit slot; when the rate was last cut, raised, and met
     * a 429; the plateau ({@link #NONE} once forgotten); the rate that held before a multiplicative
     * growth began (0 outside one); and how many cuts came in quick succession.
     */
    private record State(double ratePerSecond, long nextFreeNanos, long lastCutNanos, long lastIncreaseNanos,
            long last429Nanos, double plateau, double growthBase, int quickCuts) {

        State withRate(double rate, long now, double plateau, double growthBase) {
            return new State(rate, nextFreeNanos, lastCutNanos, now, last429Nanos, plateau, growthBase, quickCuts);
        }
    }

    /** Hears rate cuts and the lifting of pacing (to log them); called outside any lock. */
    @FunctionalInterface
    public interface RateListener {
        void rateCut(double from, double to);

        /** No 429 for {@code releaseAfter}: the rate went from {@code from} back to the ceiling. */
        default void rateReleased(double from) {
        }
    }

    private final Scheduler clock;
    private final double ceiling;
    private final double floor;
    private final double decreaseFactor;
    private final double recoveryPerSecond;
    private final double probePerSecond;
    private final double burst;
    private final long decreaseCooldownNanos;
    private final long forgetAfterNanos;
    private final long releaseAfterNanos;
    private final double growthPerSecond;
    private final int demandSlots;
    private final RateListener listener;
    private final AtomicReference<State> state;
    /** Permits given: all of them, and those of required attempts (first attempts and retries). */
    private final SlotCounts sent;
    private final SlotCounts required;
    /** Required attempts that asked for a permit, given or not: a starved demand still shows here. */
    private final SlotCounts asked;
    /** Answers: those that were not a 429, and the 429s. */
    private final SlotCounts answered;
    private final SlotCounts rejected;

    /** @param settings validated; see {@link UpstreamProperties.RateLimit} for each value's meaning */
    public AdaptiveRateLimiter(UpstreamProperties.RateLimit settings, Scheduler clock, RateListener listener) {
        this.ceiling = settings.ceiling();
        this.floor = settings.floor();
        this.decreaseFactor = settings.decreaseFactor();
        this.recoveryPerSecond = settings.recoveryPerSecond();
        this.probePerSecond = settings.probePerSecond();
        this.burst = settings.burst();
        this.decreaseCooldownNanos = settings.decreaseCooldown().toNanos();
        this.forgetAfterNanos = settings.forgetAfter().toNanos();
        this.releaseAfterNanos = settings.releaseAfter().toNanos();
        this.growthPerSecond = settings.growthPerSecond();
        this.demandSlots = (int) Math.max(SLOTS_PER_SECOND, settings.demandWindow().toNanos() / SLOT_NANOS);
        this.sent = new SlotCounts(demandSlots);
        this.required = new SlotCounts(demandSlots);
        this.asked = new SlotCounts(demandSlots);
        this.answered = new SlotCounts(SLOTS_PER_SECOND);
        this.rejected = new SlotCounts(SLOTS_PER_SECOND);
        this.clock = clock;
        this.listener = listener;
        long now = now();
        long longAgo = now - ESCALATION_NANOS - decreaseCooldownNanos - forgetAfterNanos;
        this.state = new AtomicReference<>(new State(ceiling, now, longAgo, now, longAgo, NONE, 0, 0));
    }

    /**
     * Reserves a permit for an attempt the lookup needs (a first attempt or a retry).
     *
     * @param maxWaitNanos the longest the caller can wait
     * @return nanoseconds to wait before using the permit (0 = now), or -1 when no permit is free
     *         within {@code maxWaitNanos} (nothing is reserved then)
     */
    public long reserve(long maxWaitNanos) {
        return reserve(maxWaitNanos, true);
    }

    /**
     * Reserves a permit for an attempt the lookup could do without (a hedge): it is paced like any
     * other, but not counted as demand.
     *
     * @see #reserve(long)
     */
    public long reserveOptional(long maxWaitNanos) {
        return reserve(maxWaitNanos, false);
    }

    private long reserve(long maxWaitNanos, boolean required) {
        while (true) {
            long now = now();
            State s = current(now);
            long interval = (long) (1e9 / s.ratePerSecond());
            // a quiet spell lets up to `burst` permits go at once, never more
            long earliest = Math.max(s.nextFreeNanos(), now - (long) ((burst - 1) * interval));
            long wait = Math.max(0, earliest - now);
            if (wait > maxWaitNanos) {
                return -1;
            }
            if (state.compareAndSet(s, new State(s.ratePerSecond(), earliest + interval, s.lastCutNanos(),
                    s.lastIncreaseNanos(), s.last429Nanos(), s.plateau(), s.growthBase(), s.quickCuts()))) {
                countSent(earliest, required);
                return wait;
            }
        }
    }

    /**
     * A required attempt (a first attempt or a retry) asks for a permit, whether it gets one at
     * once, later or never: what the permits given cannot show once a cut starves the demand.
     */
    public void asked() {
        asked.add(now());
    }

    /** Nanoseconds until the next permit is free (0 = now), reserving nothing. */
    public long nanosUntilFree() {
        long now = now();
        State s = current(now);
        long interval = (long) (1e9 / s.ratePerSecond());
        long earliest = Math.max(s.nextFreeNanos(), now - (long) ((burst - 1) * interval));
        return Math.max(0, earliest - now);
    }

    /** An attempt got an answer that was not a 429: raise the rate. */
    public void onSuccess() {
        long now = now();
        answered.add(now);
        while (true) {
            State s = current(now);
            if (s.ratePerSecond() >= ceiling) {
                return;
            }
            double seconds = (now - s.lastIncreaseNanos()) / 1e9;
            if (seconds < 0.001) {
                return; // too little time has passed to add anything worth a CAS
            }
            State next;
            if (now - s.last429Nanos() >= forgetAfterNanos) {
                next = grown(s, now, seconds);
            } else {
                double knee = s.plateau() * PLATEAU_SHARE;
                double rate = s.ratePerSecond();
                double raised = rate < knee ? Math.min(knee, rate + recoveryPerSecond * seconds)
                        : pressing(rate, now) ? rate + probePerSecond * seconds : rate;
                next = s.withRate(Math.min(ceiling, raised), now, s.plateau(), s.growthBase());
            }
            if (state.compareAndSet(s, next)) {
                return;
            }
        }
    }

    /** 429s have stopped: the plateau is forgotten and a rate the demand uses grows multiplicatively. */
    private State grown(State s, long now, double seconds) {
        double rate = s.ratePerSecond();
        if (sentLastSecond(now) < rate * GROWTH_USE || s.growthBase() == 0 && !pressing(rate, now)) {
            return s.withRate(rate, now, s.plateau(), 0); // an allowance nobody uses is no evidence
        }
        double base = s.growthBase() > 0 ? s.growthBase() : rate;
        // near the last limit found, a limit still there is found again by a small overshoot;
        // past it, the growth is multiplicative, so a lifted limit is found within seconds
        double grown = s.plateau() != NONE && rate < s.plateau() * NEAR_PLATEAU
                ? rate + s.plateau() * NEAR_PLATEAU_GROWTH * seconds
                : rate * Math.pow(growthPerSecond, seconds);
        grown = Math.min(ceiling, grown);
        return s.withRate(grown, now, s.plateau(), grown >= ceiling ? 0 : base);
    }

    /** The permits sent (hedges too) or asked for over the last second come close to the rate. */
    private boolean pressing(double rate, long now) {
        double pressed = rate * PRESSING_USE;
        // each count is a scan of its slots, and this runs on successes: the second only when needed
        return sent.perSecond(now, SLOTS_PER_SECOND) >= pressed || asked.perSecond(now, SLOTS_PER_SECOND) >= pressed;
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
        long now = now();
        rejected.add(now);
        while (true) {
            State s = current(now);
            long sinceCut = now - s.lastCutNanos();
            if (sinceCut < decreaseCooldownNanos) {
                // the same congestion event: no new cut, but 429s are still coming
                if (s.last429Nanos() == now || state.compareAndSet(s, new State(s.ratePerSecond(), s.nextFreeNanos(),
                        s.lastCutNanos(), s.lastIncreaseNanos(), now, s.plateau(), s.growthBase(), s.quickCuts()))) {
                    return;
                }
                continue;
            }
            double rate = s.ratePerSecond();
            double sent = sentLastSecond(now);
            double sentRecently = Math.max(sent, this.sent.perSecond(now, demandSlots));
            double demand = demand(now);
            double accepted = answered.perSecond(now, SLOTS_PER_SECOND);
            double refused = rejected.perSecond(now, SLOTS_PER_SECOND);
            // 429s are a good share of the answers: what is sent is above the limit, whatever the
            // allowance
            boolean overLimit = accepted + refused >= OVER_LIMIT_EVIDENCE && refused >= OVER_LIMIT_SHARE * (accepted + refused);
            int quickCuts = sinceCut < ESCALATION_NANOS ? s.quickCuts() + 1 : 0;
            double cut;
            double plateau = s.plateau();
            boolean grew = s.growthBase() > 0 && rate > s.growthBase();
            // the last few slots too, so that a growth the traffic follows counts as pacing
            boolean paced = rate <= Math.max(sentRecently, this.sent.perSecond(now, PACED_SLOTS)) * RATE_BOUND;
            double growthBase = 0;
            if (quickCuts < 2 && rate <= 2 * demand && afterOwnStall) {
                // our stall bunched the sends: not the rate's fault, and `sent` is low (far above
                // the demand, the next branches still place the limit from the demand); a growth
                // under way keeps the rate it started from
                cut = rate;
                growthBase = s.growthBase();
            } else if (quickCuts < 2 && !overLimit && !paced
                    && (grew || rate > plateau * PLATEAU_SHARE || rate <= 2 * demand)) {
                // pacing held nothing back and 429s are sparse, so what was sent mostly passed and
                // the 429 came from how it bunched up: pacing just above what was sent smooths
                // that whatever the allowed rate or the last limit was, never below what the
                // recent demand needs, and probing resumes from there (far above the demand with
                // no limit known, the branch below starts from twice the demand instead)
                cut = Math.max(sentRecently, demand) * RATE_BOUND;
                plateau = cut / PLATEAU_SHARE;
            } else if (quickCuts < 2 && grew) {
                // found again while growing: the limit lies between the rate that held and this
                // one; hold the former (probing resumes above it)
                cut = s.growthBase();
                plateau = cut / PLATEAU_SHARE;
            } else if (overLimit) {
                // what is sent is above the limit, whatever the allowance: shed load
                cut = Math.min(rate, sent) * decreaseFactor;
                plateau = Math.min(rate, sent);
            } else if (quickCuts < 2 && rate > plateau * PLATEAU_SHARE) {
                // a probe above the last limit failed: the limit is about here
                cut = rate * PLATEAU_SHARE;
                plateau = rate;
            } else if (rate <= sent * RATE_BOUND || quickCuts >= 2) {
                // the rate itself is too high (or cut after cut did not help): shed load
                cut = rate * decreaseFactor;
                plateau = rate;
            } else if (rate > 2 * demand) {
                // far above the demand: the allowed rate says nothing about the limit; start from
                // twice the demand (room for it) and let the next 429s place the limit
                cut = 2 * demand;
            } else {
                // a burst the longer windows count as paced: the limit lies between the demand
                // and the allowed rate
                cut = Math.max(demand * RATE_BOUND, rate * decreaseFactor);
                plateau = rate * PLATEAU_SHARE;
            }
            // never below what the internal service has just let through its limit: every attempt
            // sent and not refused, answered or not (a slow answer, a closed connection or a 500
            // passed the limit too); 5% under that is below the limit already, and a deeper cut
            // only starves the lookups (cut after cut, a limit that fell still shows in what passed)
            double passed = Math.max(accepted, sent - refused);
            cut = Math.max(floor, Math.min(rate, Math.max(cut, passed * PLATEAU_SHARE)));
            if (state.compareAndSet(s, new State(cut, s.nextFreeNanos(), now, now, now, plateau, growthBase, quickCuts))) {
                if (cut < rate) {
                    listener.rateCut(rate, cut);
                }
                return;
            }
        }
    }

    /** The rate allowed now, requests/s. */
    public double rate() {
        return current(now()).ratePerSecond();
    }

    /** The state at {@code now}: pacing lifted once no 429 has come for {@code releaseAfter}. */
    private State current(long now) {
        while (true) {
            State s = state.get();
            if (s.ratePerSecond() >= ceiling || now - s.last429Nanos() < releaseAfterNanos) {
                return s;
            }
            // as at start; slots reserved ahead at the old rate are not taken back
            State released = new State(ceiling, Math.min(s.nextFreeNanos(), now), s.lastCutNanos(), now,
                    s.last429Nanos(), NONE, 0, 0);
            if (state.compareAndSet(s, released)) {
                listener.rateReleased(s.ratePerSecond());
                return released;
            }
        }
    }

    private void countSent(long atNanos, boolean isRequired) {
        sent.add(atNanos);
        if (isRequired) {
            required.add(atNanos);
        }
    }

    /** All permits given over the last whole second (the slot being filled left out), requests/s. */
    double sentLastSecond(long nowNanos) {
        return Math.max(floor, sent.perSecond(nowNanos, SLOTS_PER_SECOND));
    }

    /**
     * The demand: required attempts per second, those given a permit or those that asked for one
     * (a cut below the need lets fewer through than ask), over the last whole second, averaged
     * over the demand window, or asked for over the last few slots up to now, whichever is highest.
     */
    double demand(long nowNanos) {
        double given = Math.max(required.perSecond(nowNanos, SLOTS_PER_SECOND), required.perSecond(nowNanos, demandSlots));
        double wanted = Math.max(asked.perSecond(nowNanos, SLOTS_PER_SECOND), asked.perSecond(nowNanos, demandSlots));
        // a demand that rose a moment ago (the internal service degraded: retries, and soon 429s)
        // shows only here; the whole seconds still speak of the quieter time before it
        double risen = asked.perSecondUpToNow(nowNanos, RISE_SLOTS);
        return Math.max(floor, Math.max(Math.max(given, wanted), risen));
    }

    /**
     * Events per 100 ms slot over a window of whole slots, plus the slot being filled; lock-free, a
     * slot is reset when its time comes round again.
     */
    private static final class SlotCounts {
        private final AtomicLongArray counts;
        private final AtomicLongArray epochs;

        SlotCounts(int slots) {
            this.counts = new AtomicLongArray(slots + 1);
            this.epochs = new AtomicLongArray(slots + 1);
        }

        void add(long atNanos) {
            long slot = atNanos / SLOT_NANOS;
            int index = (int) Math.floorMod(slot, (long) counts.length());
            long epoch = epochs.get(index);
            if (epoch != slot && epochs.compareAndSet(index, epoch, slot)) {
                counts.set(index, 0);
            }
            counts.incrementAndGet(index);
        }

        /** Per second over the last {@code slots} whole slots and the one being filled, up to {@code nowNanos}. */
        double perSecondUpToNow(long nowNanos, int slots) {
            return sum(nowNanos / SLOT_NANOS, 0, slots) * 1e9 / (slots * SLOT_NANOS + nowNanos % SLOT_NANOS);
        }

        /** Per second over the last {@code slots} whole slots (the one being filled left out). */
        double perSecond(long nowNanos, int slots) {
            return sum(nowNanos / SLOT_NANOS, 1, slots) * (1e9 / (slots * SLOT_NANOS));
        }

        /** Events in the slots {@code youngest} to {@code oldest} slots before {@code currentSlot}. */
        private long sum(long currentSlot, int youngest, int oldest) {
            long sum = 0;
            for (int i = 0; i < counts.length(); i++) {
                long age = currentSlot - epochs.get(i);
                if (age >= youngest && age <= oldest) {
                    sum += counts.get(i);
                }
            }
            return sum;
        }
    }

    private long now() {
        return clock.now(TimeUnit.NANOSECONDS);
    }
}
