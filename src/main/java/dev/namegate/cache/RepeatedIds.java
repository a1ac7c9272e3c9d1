package dev.namegate.cache;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Remembers the ids looked up lately, one id to a slot chosen by the id's hash: an id still in its
 * slot was looked up before. Each lookup takes the slot, so an id is forgotten once another takes
 * it, after about as many other ids as there are slots on average, with no allocation and no
 * ageing pass. Hand-written: a Bloom filter would need clearing or ageing to forget.
 */
final class RepeatedIds {

    /** Fibonacci hashing: consecutive ids land far apart. */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** No id is negative, so no lookup ever finds this in its slot. */
    private static final long EMPTY = Long.MIN_VALUE;

    private final AtomicLongArray slots;
    private final int shift;

    /** @param remembered how many slots, rounded up to a power of two (at least 2) */
    RepeatedIds(int remembered) {
        int bits = bits(remembered);
        this.slots = new AtomicLongArray(1 << bits);
        this.shift = 64 - bits;
        for (int i = 0; i < slots.length(); i++) {
            slots.setPlain(i, EMPTY);
        }
    }

    /** Whether {@code id} was looked up lately; from now on it was. */
    boolean lookedUpBefore(long id) {
        return slots.getAndSet((int) ((id * GOLDEN) >>> shift), id) == id;
    }

    /** The slots: {@code remembered} rounded up to a power of two. */
    int slots() {
        return slots.length();
    }

    /** The heap the table of {@code remembered} slots takes, for the start-up check. */
    static long bytes(int remembered) {
        return Long.BYTES * (1L << bits(remembered));
    }

    private static int bits(int remembered) {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(remembered - 1));
    }
}
