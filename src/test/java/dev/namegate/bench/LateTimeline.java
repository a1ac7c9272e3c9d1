package dev.namegate.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where in a phase the late answers were: for each slice of the schedule (by intended send time),
 * the requests scheduled in it and how many of them were answered after the SLO, split into
 * correct answers and the rest (refusals, errors). A p99 over a whole phase cannot tell a
 * transient at an overload's onset from a steady tail; this can.
 *
 * @param slice     the length of one slice of the schedule
 * @param scheduled finished requests whose intended send time fell in each slice
 * @param lateOk    correct answers after the SLO, by slice
 * @param lateOther other outcomes after the SLO (wrong answers such as refusals, failures), by slice
 */
record LateTimeline(Duration slice, long[] scheduled, long[] lateOk, long[] lateOther) {

    static final LateTimeline NONE = new LateTimeline(Duration.ofSeconds(1), new long[0], new long[0], new long[0]);

    LateTimeline {
        if (scheduled.length != lateOk.length || scheduled.length != lateOther.length) {
            throw new IllegalArgumentException("one count per slice in each array");
        }
        scheduled = scheduled.clone();
        lateOk = lateOk.clone();
        lateOther = lateOther.clone();
    }

    /**
     * One line: per slice up to the last with any request, "late ok + late other / scheduled",
     * slices with nothing late as "-", so that the n-th entry is always the n-th slice.
     */
    String describe() {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "late (ok+other) per %d ms:",
                slice.toMillis()));
        int last = scheduled.length - 1;
        while (last >= 0 && scheduled[last] == 0) {
            last--;
        }
        for (int i = 0; i <= last; i++) {
            line.append(' ');
            line.append(lateOk[i] + lateOther[i] == 0 ? "-"
                    : lateOk[i] + "+" + lateOther[i] + "/" + scheduled[i]);
        }
        return line.toString();
    }

    long totalLate() {
        return Arrays.stream(lateOk).sum() + Arrays.stream(lateOther).sum();
    }

    /** The counters one phase writes from its event loops. */
    static final class Recorder {
        private final long sliceNanos;
        private final AtomicLongArray scheduled;
        private final AtomicLongArray lateOk;
        private final AtomicLongArray lateOther;

        Recorder(Duration phase, Duration slice) {
            this.sliceNanos = slice.toNanos();
            // requests may finish after the schedule; they are filed by intended time, so this suffices
            int slices = (int) Math.max(1, (phase.toNanos() + sliceNanos - 1) / sliceNanos) + 1;
            this.scheduled = new AtomicLongArray(slices);
            this.lateOk = new AtomicLongArray(slices);
            this.lateOther = new AtomicLongArray(slices);
        }

        void scheduled(long offsetNanos) {
            scheduled.incrementAndGet(index(offsetNanos));
        }

        void late(long offsetNanos, boolean ok) {
            (ok ? lateOk : lateOther).incrementAndGet(index(offsetNanos));
        }

        private int index(long offsetNanos) {
            return (int) Math.min(scheduled.length() - 1, Math.max(0, offsetNanos / sliceNanos));
        }

        LateTimeline snapshot() {
            return new LateTimeline(Duration.ofNanos(sliceNanos), toArray(scheduled), toArray(lateOk), toArray(lateOther));
        }

        private static long[] toArray(AtomicLongArray counts) {
            long[] copy = new long[counts.length()];
            for (int i = 0; i < copy.length; i++) {
                copy[i] = counts.get(i);
            }
            return copy;
        }
    }
}
