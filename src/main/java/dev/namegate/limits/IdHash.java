package dev.namegate.limits;

/**
 * A keyed 64-bit scramble of user ids for {@link DistinctIdWindow}: {@code fmix64(id ^ key)},
 * MurmurHash3's finalizer. Every step (xor, xor-shift, multiplication by an odd constant) is
 * invertible, so the whole is a bijection on 64-bit values: two different ids never get the same
 * value, the collision probability is exactly zero and the quota stays exact. The scramble is
 * there for the table, not for secrecy: sequential ids spread over the slots, and a random
 * per-process key keeps a caller from choosing ids that all land in one probe chain.
 */
final class IdHash {

    private IdHash() {
    }

    static long of(long id, long key) {
        long h = id ^ key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
