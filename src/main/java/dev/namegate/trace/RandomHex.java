package dev.namegate.trace;

import java.util.concurrent.ThreadLocalRandom;

/** Random lower-case hex ids (request, trace and span ids): unique, not secret. */
public final class RandomHex {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RandomHex() {
    }

    public static String of(int digits) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[digits];
        long bits = 0;
        for (int i = 0; i < digits; i++) {
            if ((i & 15) == 0) {
                bits = random.nextLong();
            }
            out[i] = HEX[(int) (bits & 0xF)];
            bits >>>= 4;
        }
        return new String(out);
    }
}
