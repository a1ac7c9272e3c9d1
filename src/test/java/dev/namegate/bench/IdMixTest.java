package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

/** The ids a load asks for: the whole id space, a Zipf hot set, and the share of unknown ids. */
class IdMixTest {

    private static final int DRAWS = 100_000;

    @Test
    void uniformIdsCoverTheWholeIdSpaceAndPracticallyNeverRepeat() {
        LongSupplier ids = new IdMix(Scenarios.USERS, 0.0).generator(1);
        Set<Long> seen = new HashSet<>();
        long below = 0;
        for (int i = 0; i < DRAWS; i++) {
            long id = ids.getAsLong();
            assertThat(id).isBetween(1L, Scenarios.USERS);
            seen.add(id);
            if (id <= Scenarios.USERS / 2) {
                below++;
            }
        }
        // 10^5 draws from 10^9 ids: about 5 repeats are expected; a cache of what was asked sees misses only
        assertThat(seen.size()).isGreaterThan(DRAWS - 50);
        assertThat(below).isBetween(49_000L, 51_000L);
    }

    @Test
    void aZipfHotSetStaysInItsRangeAndFavoursTheFirstIdsAsTheLawSays() {
        LongSupplier ids = new IdMix(Scenarios.USERS, 0.0, new KnownIds.Zipf(100_000, 1.0)).generator(2);
        long first = 0;
        long firstThousand = 0;
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < DRAWS; i++) {
            long id = ids.getAsLong();
            assertThat(id).isBetween(1L, 100_000L);
            seen.add(id);
            if (id == 1) {
                first++;
            }
            if (id <= 1000) {
                firstThousand++;
            }
        }
        // 1/H(100000) = 8.3% for id 1; H(1000)/H(100000) = 61.9% for the first thousand
        assertThat(first).isBetween(7_800L, 8_800L);
        assertThat(firstThousand).isBetween(61_000L, 62_800L);
        assertThat(seen.size()).isLessThan(DRAWS / 2);
        // a steeper exponent concentrates more on the head
        LongSupplier steep = new IdMix(Scenarios.USERS, 0.0, new KnownIds.Zipf(100_000, 1.5)).generator(2);
        long steepFirst = 0;
        for (int i = 0; i < DRAWS; i++) {
            if (steep.getAsLong() == 1) {
                steepFirst++;
            }
        }
        assertThat(steepFirst).isGreaterThan(2 * first);
    }

    @Test
    void unknownIdsComeInTheGivenShareFromAboveTheKnownOnes() {
        for (KnownIds known : new KnownIds[] {KnownIds.UNIFORM, new KnownIds.Zipf(500, 1.0)}) {
            LongSupplier ids = new IdMix(1000, 0.1, known).generator(3);
            int unknown = 0;
            for (int i = 0; i < DRAWS; i++) {
                long id = ids.getAsLong();
                assertThat(id).isBetween(1L, 2000L);
                if (id > 1000) {
                    unknown++;
                }
            }
            assertThat(unknown).as(known.option()).isBetween(9_000, 11_000);
        }
        assertThat(new IdMix(1000, 1.0).generator(4).getAsLong()).isGreaterThan(1000);
        assertThat(IdMix.knownOnly(1000).generator(4).getAsLong()).isBetween(1L, 1000L);
    }

    @Test
    void theSameSeedGivesTheSameIds() {
        IdMix mix = new IdMix(Scenarios.USERS, 0.1, new KnownIds.Zipf(1000, 1.0));
        LongSupplier a = mix.generator(5);
        LongSupplier b = mix.generator(5);
        for (int i = 0; i < 1000; i++) {
            assertThat(a.getAsLong()).isEqualTo(b.getAsLong());
        }
    }

    @Test
    void aHotSetLargerThanTheKnownIdsIsRefused() {
        assertThatThrownBy(() -> new IdMix(100, 0.0, new KnownIds.Zipf(101, 1.0)))
                .hasMessageContaining("zipf:101:1.0 asks for ids above the 100 known ones");
        assertThat(KnownIds.parse("zipf:100000")).isEqualTo(new KnownIds.Zipf(100_000, 1.0));
        assertThat(KnownIds.parse(" Uniform ")).isEqualTo(KnownIds.UNIFORM);
    }
}
