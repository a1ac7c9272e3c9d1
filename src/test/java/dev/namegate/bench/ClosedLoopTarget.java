package dev.namegate.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the closed-loop sweep loads, in the order it runs them; each on CPU 0 in front of (or as)
 * the healthy simulator on CPU 1. The name is the {@code --targets=} word and the table's column.
 */
enum ClosedLoopTarget {
    /** namegate, every request a new id from 1..10^9: the uncached path. */
    MISSES("misses", "namegate misses", Scenarios.USERS),
    /** namegate, ids from 1..1,000, each asked for once before the warm-up to fill its name cache. */
    HITS("hits", "namegate hits", ClosedLoopTarget.HOT_IDS),
    /** {@link NaiveProxy}, ids from 1..10^9: what Spring WebFlux and Reactor Netty alone cost. */
    NAIVE("naive", "NaiveProxy", Scenarios.USERS),
    /**
     * {@link NaiveProxy} keeping names in a map, ids and filling as for {@link #HITS}: what the
     * same stack costs to answer from memory, the baseline of namegate's hits.
     */
    NAIVE_HITS("naive-hits", "NaiveProxy hits", ClosedLoopTarget.HOT_IDS),
    /** HAProxy in front of the simulator: the ceiling of a proxy on this machine. */
    HAPROXY("haproxy", "HAProxy", Scenarios.USERS),
    /** The simulator alone ({@code POST /{id}}), on CPU 0 itself: the floor under every proxy. */
    DIRECT("direct", "simulator direct", Scenarios.USERS);

    /** The hot set of the cache-hit target: few enough to fill the cache in a second or two. */
    static final long HOT_IDS = 1_000;

    private final String option;
    private final String label;
    private final long highestId;

    ClosedLoopTarget(String option, String label, long highestId) {
        this.option = option;
        this.label = label;
        this.highestId = highestId;
    }

    String option() {
        return option;
    }

    String label() {
        return label;
    }

    /** Ids are drawn uniformly from 1..this. */
    long highestId() {
        return highestId;
    }

    /** Whether it measures answers from a cache: its hot ids are asked for once before its warm-up. */
    boolean cacheHits() {
        return this == HITS || this == NAIVE_HITS;
    }

    /** Whether the system under test is namegate (a key, limits, a cache to report on). */
    boolean namegate() {
        return this == MISSES || this == HITS;
    }

    /** @throws IllegalArgumentException naming the unknown word and the known ones */
    static List<ClosedLoopTarget> parse(String words) {
        if (words.isBlank() || words.equals("all")) {
            return List.of(values());
        }
        return Arrays.stream(words.split(",")).map(String::trim).filter(word -> !word.isEmpty())
                .map(ClosedLoopTarget::named).distinct().sorted().toList();
    }

    private static ClosedLoopTarget named(String word) {
        return Arrays.stream(values()).filter(target -> target.option.equals(word.toLowerCase(Locale.ROOT)))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown target '" + word + "'; known: "
                        + Arrays.stream(values()).map(ClosedLoopTarget::option).collect(Collectors.joining(","))));
    }
}
