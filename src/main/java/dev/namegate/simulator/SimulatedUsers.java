package dev.namegate.simulator;

/**
 * The names the simulated internal service knows, as a pure function of the id, so tests and
 * benchmarks can check every answer without asking the simulator.
 *
 * <p>Ids 1 to 3 are the people from the story; ids 4 and 5 carry characters that break naive
 * JSON, URL or log handling (non-ASCII letters, CJK, an emoji outside the BMP, quotes and a
 * backslash); every further id gets a generated name that contains the id, so a name answered
 * for the wrong id never passes a check. How many ids exist is the simulator's setting
 * ({@link SimulatorSettings#users()}), not this class's concern.
 */
public final class SimulatedUsers {

    /** Id 4: accented Latin, CJK and an emoji (a surrogate pair in UTF-16, 4 bytes in UTF-8). */
    public static final String HARD_UNICODE_NAME = "Zoë Ñandú-李小龍 🚀";

    /** Id 5: a single quote, double quotes and a backslash, the characters JSON must escape. */
    public static final String HARD_ESCAPING_NAME = "O'Brien \"the \\ backslash\"";

    private static final String[] FIXED = {"John", "Carl", "Rob", HARD_UNICODE_NAME, HARD_ESCAPING_NAME};

    // Mixed on purpose: most generated names are plain ASCII, some are not, so a benchmark over
    // a range of ids exercises both the fast path and the multi-byte path of a client.
    private static final String[] GENERATED_PREFIXES = {
        "User", "User", "User", "Søren", "José", "Łukasz", "Анна", "محمد", "Ōta \"Q\"", "Back\\slash", "Emoji 😀"
    };

    private SimulatedUsers() {
    }

    /**
     * The name of a user.
     *
     * @param id the user id, 1 or more
     * @return the same non-empty name for the same id, every time
     * @throws IllegalArgumentException if {@code id < 1}
     */
    public static String nameOf(long id) {
        if (id < 1) {
            throw new IllegalArgumentException("user ids start at 1, got " + id);
        }
        if (id <= FIXED.length) {
            return FIXED[(int) (id - 1)];
        }
        return GENERATED_PREFIXES[(int) (id % GENERATED_PREFIXES.length)] + " " + id;
    }
}
