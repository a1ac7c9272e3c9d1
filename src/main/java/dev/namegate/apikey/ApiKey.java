package dev.namegate.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The shape of a namegate API key: {@code ng_} + 30 random base62 characters + 6 base62
 * characters of checksum (39 characters in all).
 *
 * <p>The fixed prefix and the checksum make a key a <em>scannable</em> secret: secret scanners
 * (and our own filter) can tell a real key from random text without a lookup, so a leaked key is
 * found and a typo is rejected before the key table is consulted. The checksum is CRC-32/IEEE of
 * the 30 random characters as ASCII, unsigned, in base62 ({@code 0-9A-Za-z}), most significant
 * digit first, left-padded with {@code 0}. It is not a security measure: the 30 random characters
 * (about 178 bits) are.
 *
 * <p>Uses only JDK classes so that {@link KeyMint} runs from plain compiled classes.
 */
public final class ApiKey {

    /** Every key starts with this. */
    public static final String PREFIX = "ng_";
    /** Random base62 characters after the prefix. */
    public static final int RANDOM_LENGTH = 30;
    /** Base62 characters of CRC-32 at the end. */
    public static final int CHECKSUM_LENGTH = 6;
    /** Total length of a key, in characters. */
    public static final int LENGTH = PREFIX.length() + RANDOM_LENGTH + CHECKSUM_LENGTH;

    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** Each ASCII character's base62 value, -1 outside {@link #ALPHABET}. */
    private static final byte[] DIGITS = digits();

    /** Cloned from one instance: on every request, a provider lookup would cost more than the hash itself. */
    private static final MessageDigest SHA256_PROTOTYPE = newSha256();

    private ApiKey() {
    }

    /** A fresh key; {@code random} should be a {@link SecureRandom} nobody else can observe. */
    public static String mint(SecureRandom random) {
        StringBuilder body = new StringBuilder(RANDOM_LENGTH);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            // nextInt(bound) is unbiased, unlike nextByte() % 62.
            body.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return PREFIX + body + checksum(body);
    }

    /**
     * Whether {@code candidate} has the prefix, length, alphabet and checksum of a key. Says nothing
     * about whether the key is known.
     */
    public static boolean hasValidShape(String candidate) {
        if (candidate == null || candidate.length() != LENGTH || !candidate.startsWith(PREFIX)) {
            return false;
        }
        // Checked on every request: digits looked up in a table, the checksum compared as a number.
        int checksumStart = PREFIX.length() + RANDOM_LENGTH;
        long stated = 0;
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            int digit = digit(candidate.charAt(i));
            if (digit < 0) {
                return false;
            }
            if (i >= checksumStart) {
                stated = stated * ALPHABET.length() + digit;
            }
        }
        return stated == crc32(candidate, PREFIX.length(), checksumStart);
    }

    /** The value of a base62 digit, -1 for any other character. */
    private static int digit(char c) {
        return c < DIGITS.length ? DIGITS[c] : -1;
    }

    /**
     * Whether something with the shape of a key ({@link #hasValidShape}) appears anywhere in
     * {@code text}: a leaked key, whatever it is called or wherever it sits. The checksum keeps
     * random text from matching (one chance in 62^6 per {@code ng_}).
     */
    public static boolean appearsIn(String text) {
        for (int at = text.indexOf(PREFIX); at >= 0 && at + LENGTH <= text.length(); at = text.indexOf(PREFIX, at + 1)) {
            if (hasValidShape(text.substring(at, at + LENGTH))) {
                return true;
            }
        }
        return false;
    }

    /** Lower-case hex SHA-256 of the whole key, prefix included: the only form the keys file holds. */
    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256().digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA256_PROTOTYPE.clone();
        } catch (CloneNotSupportedException notCloneable) {
            return newSha256();
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException(e);
        }
    }

    private static byte[] digits() {
        byte[] digits = new byte[128];
        Arrays.fill(digits, (byte) -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            digits[ALPHABET.charAt(i)] = (byte) i;
        }
        return digits;
    }

    /** CRC-32/IEEE of {@code text} as ASCII, in 6 base62 digits (2^32 < 62^6, so it always fits). */
    static String checksum(CharSequence text) {
        long value = crc32(text, 0, text.length());
        char[] digits = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            digits[i] = ALPHABET.charAt((int) (value % ALPHABET.length()));
            value /= ALPHABET.length();
        }
        return new String(digits);
    }

    /** CRC-32/IEEE of the ASCII characters {@code from} to {@code to} of {@code text}. */
    private static long crc32(CharSequence text, int from, int to) {
        CRC32 crc = new CRC32();
        for (int i = from; i < to; i++) {
            crc.update(text.charAt(i));
        }
        return crc.getValue();
    }
}
