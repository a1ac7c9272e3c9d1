package dev.namegate.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import dev.namegate.upstream.UserLookup;

/**
 * What the name cache holds for an id, as one byte array: since when ({@link
 * com.github.benmanes.caffeine.cache.Ticker} nanos), whether the user exists, and the name's
 * UTF-8 bytes. One object where a record, its String and the String's bytes were three: every
 * miss's entry is copied out of the young generation and scanned there, and a young pause grows
 * with those objects (docs/benchmarks.md). The arrays never leave {@link NameCache} and are never
 * written after {@link #found} or {@link #notFound} made them.
 */
final class StoredName {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int STORED_AT = 0;
    private static final int KIND = Long.BYTES;
    /** The bytes before the name's. */
    static final int HEADER_BYTES = KIND + 1;
    private static final byte NOT_FOUND = 0;
    private static final byte FOUND = 1;

    private StoredName() {
    }

    static byte[] of(UserLookup lookup, long storedAt) {
        return lookup instanceof UserLookup.Found found ? found(found.name(), storedAt) : notFound(storedAt);
    }

    static byte[] found(String name, long storedAt) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] stored = new byte[HEADER_BYTES + utf8.length];
        System.arraycopy(utf8, 0, stored, HEADER_BYTES, utf8.length);
        stored[KIND] = FOUND;
        LONG.set(stored, STORED_AT, storedAt);
        return stored;
    }

    /** "User not exists", stored as an answer too. */
    static byte[] notFound(long storedAt) {
        byte[] stored = new byte[HEADER_BYTES];
        stored[KIND] = NOT_FOUND;
        LONG.set(stored, STORED_AT, storedAt);
        return stored;
    }

    static long storedAt(byte[] stored) {
        return (long) LONG.get(stored, STORED_AT);
    }

    /** Whether it holds a name, rather than "User not exists". */
    static boolean userExists(byte[] stored) {
        return stored[KIND] == FOUND;
    }

    /** The answer it stands for, about {@code userId}. */
    static UserLookup lookup(byte[] stored, long userId) {
        return userExists(stored)
                ? new UserLookup.Found(userId, new String(stored, HEADER_BYTES, stored.length - HEADER_BYTES, StandardCharsets.UTF_8))
                : new UserLookup.NotFound(userId);
    }
}
