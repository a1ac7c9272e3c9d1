package dev.namegate.limits;

/**
 * The exact set of distinct ids one client read within a rolling window, with their first-seen
 * times: an open-addressing set of {@link IdHash} values (linear probing, backward-shift deletion,
 * load at most 1/2) and a ring of (hash, first seen) in first-seen order, so expiry pops from the
 * head. Expired entries are dropped lazily on each call. It never holds more entries than the
 * quota, nor more than the ids actually seen, nor takes an id beyond what the replica's
 * {@link TrackedIds} allow; and its arrays shrink as the window slides, so memory follows the ids
 * counted now. Primitives only, no boxing on the hot path: 8 bytes per set slot (load 1/8 to 1/2)
 * and 16 per ring place (load 1/4 to 1), so 32 to 64 bytes per counted id while the count grows
 * (52 at 10,000 ids: {@link #retainedBytes()}), up to {@value #MAX_BYTES_PER_ID} while it shrinks.
 *
 * <p>Thread-safe by one lock per client; a call does no IO and is O(1) amortised.
 */
final class DistinctIdWindow {

    /** What {@link #admit} decided, and whether that crossed a threshold worth an audit event. */
    enum Outcome {
        ALREADY_COUNTED, COUNTED, COUNTED_WARN, REFUSED, REFUSED_FIRST,
        /** Within the client's quota, but the replica tracks as many ids as it may. */
        REFUSED_REPLICA_FULL
    }

    /**
     * The most heap one counted id can hold, besides a window's fixed part: 64 bytes of set (load
     * down to 1/8) and 64 of ring (load down to 1/4), reached while a window shrinks.
     */
    static final int MAX_BYTES_PER_ID = 128;

    private static final int INITIAL = 16;
    /** This object's own fields and header, about. */
    private static final int OBJECT_BYTES = 48;
    private static final int ARRAY_HEADER_BYTES = 16;

    private final TrackedIds tracked;

    private long[] slots = new long[INITIAL * 2];
    private boolean holdsZero;
    private long[] ringHashes = new long[INITIAL];
    private long[] ringTimes = new long[INITIAL];
    private int head;
    private int size;
    private boolean warned;
    private boolean exhausted;
    private long retryAfterNanos;

    DistinctIdWindow(TrackedIds tracked) {
        this.tracked = tracked;
    }

    /**
     * @param hash the id's {@link IdHash}
     * @param now current time in nanoseconds (any origin, monotonic)
     * @param window how long an id stays counted, in nanoseconds
     * @param quota distinct ids allowed in the window
     * @param warnAt count at which {@link Outcome#COUNTED_WARN} is returned once per crossing
     */
    synchronized Outcome admit(long hash, long now, long window, int quota, int warnAt) {
        expire(now, window);
        if (size < warnAt) {
            warned = false;
        }
        if (contains(hash)) {
            return Outcome.ALREADY_COUNTED;
        }
        if (size >= quota) {
            retryAfterNanos = ringTimes[head] + window - now;
            boolean first = !exhausted;
            exhausted = true;
            return first ? Outcome.REFUSED_FIRST : Outcome.REFUSED;
        }
        if (!tracked.tryTake()) {
            return Outcome.REFUSED_REPLICA_FULL;
        }
        exhausted = false;
        add(hash, now);
        if (size >= warnAt && !warned) {
            warned = true;
            return Outcome.COUNTED_WARN;
        }
        return Outcome.COUNTED;
    }

    synchronized int size() {
        return size;
    }

    /** Nanoseconds until the oldest id leaves the window, as of the last refusal over quota. */
    synchronized long retryAfterNanos() {
        return retryAfterNanos;
    }

    /** Drops the ids that left the window by {@code now}; whether there were any. */
    synchronized boolean expireNow(long now, long window) {
        int before = size;
        expire(now, window);
        return size < before;
    }

    /** Heap held by this window: its arrays (8 bytes per long plus a header each) and fields. */
    synchronized long retainedBytes() {
        return OBJECT_BYTES + 3L * ARRAY_HEADER_BYTES + 8L * (slots.length + ringHashes.length + ringTimes.length);
    }

    private void expire(long now, long window) {
        int before = size;
        while (size > 0 && now - ringTimes[head] >= window) {
            remove(ringHashes[head]);
            head = (head + 1) % ringHashes.length;
            size--;
        }
        if (size < before) {
            tracked.giveBack(before - size);
            shrinkIfSparse();
        }
    }

    /**
     * Halves (or more) what a sliding window no longer needs: the ring once a quarter full, the set
     * once an eighth full, each to twice what growing would give, so a count hovering at a
     * boundary never grows and shrinks in turn.
     */
    private void shrinkIfSparse() {
        int room = Integer.highestOneBit(Math.max(1, size));
        if (ringHashes.length > INITIAL && size <= ringHashes.length / 4) {
            resizeRing(Math.max(INITIAL, room * 2));
        }
        if (slots.length > INITIAL * 2 && size * 8 <= slots.length) {
            rehash(Math.max(INITIAL * 2, room * 4));
        }
    }

    private void add(long hash, long now) {
        if (size == ringHashes.length) {
            resizeRing(ringHashes.length * 2);
        }
        int tail = (head + size) % ringHashes.length;
        ringHashes[tail] = hash;
        ringTimes[tail] = now;
        size++;
        if (hash == 0) {
            holdsZero = true;
            return;
        }
        if (size * 2 > slots.length) {
            rehash(slots.length * 2);
        }
        insert(slots, hash);
    }

    private boolean contains(long hash) {
        if (hash == 0) {
            return holdsZero;
        }
        int mask = slots.length - 1;
        for (int i = (int) hash & mask; ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == hash) {
                return true;
            }
            if (slot == 0) {
                return false;
            }
        }
    }

    private static void insert(long[] table, long hash) {
        int mask = table.length - 1;
        int i = (int) hash & mask;
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = hash;
    }

    private void remove(long hash) {
        if (hash == 0) {
            holdsZero = false;
            return;
        }
        int mask = slots.length - 1;
        int i = (int) hash & mask;
        while (slots[i] != hash) {
            if (slots[i] == 0) {
                return;
            }
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: pull later members of the probe chain into the hole, so
        // lookups never need tombstones.
        int hole = i;
        for (int j = (hole + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
            int home = (int) slots[j] & mask;
            boolean homeInRange = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!homeInRange) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = 0;
    }

    private void rehash(int length) {
        long[] resized = new long[length];
        for (long hash : slots) {
            if (hash != 0) {
                insert(resized, hash);
            }
        }
        slots = resized;
    }

    private void resizeRing(int capacity) {
        long[] hashes = new long[capacity];
        long[] times = new long[capacity];
        for (int k = 0; k < size; k++) {
            int from = (head + k) % ringHashes.length;
            hashes[k] = ringHashes[from];
            times[k] = ringTimes[from];
        }
        ringHashes = hashes;
        ringTimes = times;
        head = 0;
    }
}
