package dev.namegate.web;

/**
 * A user id as the public API accepts it: ASCII digits, no sign, no leading zero, at most 15
 * digits (so every id is an exact JSON number in JavaScript). Only a parsed id ever reaches the
 * upstream URL.
 */
public final class UserId {

    /** Longest id in digits; 10^15 - 1 is below 2^53. */
    public static final int MAX_DIGITS = 15;

    private UserId() {
    }

    /** The id's value, or -1 when {@code text} is not a valid id. */
    public static long parse(String text) {
        int length = text == null ? 0 : text.length();
        if (length == 0 || length > MAX_DIGITS || text.charAt(0) == '0') {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
