package dev.namegate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.namegate.limits.DistinctIdWindow.Outcome;

class DistinctIdWindowTest {

    private static final long KEY = 0x5eed;
    private static final long WINDOW = 1_000;

    private final DistinctIdWindow window = new DistinctIdWindow(new TrackedIds(Long.MAX_VALUE));

    private Outcome admit(long id, long now, int quota) {
        return window.admit(IdHash.of(id, KEY), now, WINDOW, quota, quota);
    }

    @Test
    void countsEachDistinctIdOnceAndRefusesNewIdsPastTheQuota() {
        for (long id = 1; id <= 4; id++) {
            assertThat(admit(id, 0, 5)).isEqualTo(Outcome.COUNTED); // the warning comes at the fifth
        }
        assertThat(admit(2, 0, 5)).isEqualTo(Outcome.ALREADY_COUNTED);
        assertThat(admit(5, 0, 5)).isEqualTo(Outcome.COUNTED_WARN);
        assertThat(admit(6, 0, 5)).isEqualTo(Outcome.REFUSED_FIRST);
        assertThat(admit(7, 0, 5)).isEqualTo(Outcome.REFUSED);
        assertThat(admit(3, 0, 5)).as("already counted ids stay readable").isEqualTo(Outcome.ALREADY_COUNTED);
        assertThat(window.size()).isEqualTo(5);
    }

    @Test
    void idsLeaveTheWindowInFirstSeenOrderAndFreeTheirPlace() {
        admit(1, 0, 2);
        admit(2, 400, 2);
        assertThat(admit(3, 900, 2)).isEqualTo(Outcome.REFUSED_FIRST);
        assertThat(window.retryAfterNanos()).as("until id 1 leaves").isEqualTo(100);
        assertThat(admit(3, 1_000, 2)).isEqualTo(Outcome.COUNTED_WARN);
        assertThat(admit(1, 1_000, 2)).as("id 1 expired, id 2 still counted").isEqualTo(Outcome.REFUSED_FIRST);
        assertThat(admit(2, 1_000, 2)).isEqualTo(Outcome.ALREADY_COUNTED);
    }

    @Test
    void tenThousandIdsTakeHalfAMebibyteWhichIsReleasedAsTheWindowSlides() {
        for (long id = 1; id <= 10_000; id++) {
            admit(id, 0, 10_000);
        }
        // a set of 32,768 slots (load at most 1/2) and a ring of 16,384 (hash, time) pairs, 8 bytes each
        long full = 8L * (32_768 + 2 * 16_384);
        assertThat(window.retainedBytes()).isBetween(full, full + 200);
        assertThat(window.retainedBytes() / 10_000).as("bytes per id").isEqualTo(52);

        admit(20_001, WINDOW, 10_000); // every id so far leaves the window
        assertThat(window.size()).isEqualTo(1);
        assertThat(window.retainedBytes()).as("back to the initial arrays").isLessThan(1_000);
    }

    @Test
    void aSlowSlideReleasesMemoryStepByStepAndCountsExactlyAllTheWay() {
        long span = 10_000; // the window here: longer than the class's, so 4,096 ids fit
        for (long id = 1; id <= 4_096; id++) {
            admitAt(id, id, span);
        }
        for (long k = 1; k <= 4_096; k++) {
            // the oldest leave one by one; a new id comes every eighth step
            if (k % 8 == 0) {
                assertThat(admitAt(100_000 + k, span + k, span)).isEqualTo(Outcome.COUNTED);
            } else {
                admitAt(k + 1, span + k, span); // still counted until its time
            }
            assertThat(window.retainedBytes()).as("after step %d, %d ids", k, window.size())
                    .isLessThanOrEqualTo((long) DistinctIdWindow.MAX_BYTES_PER_ID * window.size() + 1_024);
        }
        assertThat(window.size()).isEqualTo(512);
        for (long k = 8; k <= 4_096; k += 8) {
            assertThat(admitAt(100_000 + k, span + 4_096, span)).isEqualTo(Outcome.ALREADY_COUNTED);
        }
        assertThat(admitAt(1, span + 4_096, span)).as("long gone: counted anew").isEqualTo(Outcome.COUNTED);
    }

    private Outcome admitAt(long id, long now, long span) {
        return window.admit(IdHash.of(id, KEY), now, span, 10_000, 10_000);
    }

    @Test
    void warnsOncePerCrossingOfTheThreshold() {
        assertThat(window.admit(1, 0, WINDOW, 10, 2)).isEqualTo(Outcome.COUNTED);
        assertThat(window.admit(2, 0, WINDOW, 10, 2)).isEqualTo(Outcome.COUNTED_WARN);
        assertThat(window.admit(3, 0, WINDOW, 10, 2)).isEqualTo(Outcome.COUNTED);
        // all three expire: below the threshold again, so the next crossing warns again
        assertThat(window.admit(4, 2_000, WINDOW, 10, 2)).isEqualTo(Outcome.COUNTED);
        assertThat(window.admit(5, 2_000, WINDOW, 10, 2)).isEqualTo(Outcome.COUNTED_WARN);
    }

    @Test
    void agreesWithAReferenceSetUnderRandomTrafficWithExpiry() {
        Random random = new Random(42);
        Set<Long> reference = new HashSet<>();
        ArrayDeque<long[]> order = new ArrayDeque<>();
        int quota = 500;
        for (long now = 0; now < 200_000; now += random.nextInt(3)) {
            long id = random.nextInt(2_000) + (random.nextBoolean() ? 0 : 1L << 40);
            while (!order.isEmpty() && now - order.peekFirst()[1] >= WINDOW) {
                reference.remove(order.pollFirst()[0]);
            }
            Outcome outcome = admit(id, now, quota);
            if (reference.contains(id)) {
                assertThat(outcome).isEqualTo(Outcome.ALREADY_COUNTED);
            } else if (reference.size() >= quota) {
                assertThat(outcome).isIn(Outcome.REFUSED, Outcome.REFUSED_FIRST);
            } else {
                assertThat(outcome).isIn(Outcome.COUNTED, Outcome.COUNTED_WARN);
                reference.add(id);
                order.addLast(new long[] {id, now});
            }
            assertThat(window.size()).isEqualTo(reference.size()).isLessThanOrEqualTo(quota);
        }
    }

    @Test
    void theHashIsABijectionSoDistinctIdsNeverCollide() {
        Set<Long> hashes = new HashSet<>();
        for (long id = 1; id <= 200_000; id++) {
            hashes.add(IdHash.of(id, KEY));
        }
        assertThat(hashes).hasSize(200_000);
        // the id whose hash is 0 is stored apart from the table's empty marker
        long zeroId = 0 ^ KEY; // fmix64(0) == 0, so id ^ KEY == 0 hashes to 0
        assertThat(IdHash.of(zeroId, KEY)).isZero();
        assertThat(admit(zeroId, 0, 3)).isEqualTo(Outcome.COUNTED);
        assertThat(admit(zeroId, 0, 3)).isEqualTo(Outcome.ALREADY_COUNTED);
        assertThat(admit(zeroId, 5_000, 3)).as("expired").isEqualTo(Outcome.COUNTED);
    }
}
