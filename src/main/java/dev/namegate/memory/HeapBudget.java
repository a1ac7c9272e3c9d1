package dev.namegate.memory;

import java.util.Locale;

/**
 * The share of the heap each bounded in-memory structure (the name cache, the quota's counted
 * ids) may take at its worst, checked at start-up. A bound set beyond the heap would otherwise be
 * found by an {@link OutOfMemoryError}, whose restart wipes every client's quota and throttle state.
 */
public final class HeapBudget {

    /** Each structure may take at most this share of the maximum heap ({@link Runtime#maxMemory()}). */
    public static final double MAX_SHARE = 0.25;

    private HeapBudget() {
    }

    /**
     * @param property the property that sets the bound, named in the failure
     * @param value    its value, as configured
     * @param worstCaseBytes the most heap the structure can take within that bound
     * @param maxHeapBytes   the heap's maximum ({@code Runtime.getRuntime().maxMemory()})
     * @throws IllegalStateException when {@code worstCaseBytes} exceed {@link #MAX_SHARE} of the heap
     */
    public static void check(String property, Object value, long worstCaseBytes, long maxHeapBytes) {
        if (worstCaseBytes > MAX_SHARE * maxHeapBytes) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s (%s) may take up to %,d MiB of heap, more than"
                    + " %.0f%% of the maximum heap (%,d MiB): lower it, or give the JVM more heap", property, value,
                    worstCaseBytes >> 20, MAX_SHARE * 100, maxHeapBytes >> 20));
        }
    }
}
