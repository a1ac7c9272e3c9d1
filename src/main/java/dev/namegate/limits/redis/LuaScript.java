package dev.namegate.limits.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script of this package, read once from the classpath, and its SHA-1, by which Redis runs
 * it ({@code EVALSHA}) without the text being sent with every call.
 *
 * @param name file name, for messages
 * @param text the script
 * @param sha1 lower-case hex SHA-1 of {@code text}, Redis' name for it
 */
record LuaScript(String name, byte[] text, String sha1) {

    static final LuaScript REQUEST = load("request.lua");
    static final LuaScript AUTH_FAILURE = load("auth-failure.lua");
    static final LuaScript THROTTLE_ENDS = load("throttle-ends.lua");
    static final List<LuaScript> ALL = List.of(REQUEST, AUTH_FAILURE, THROTTLE_ENDS);

    static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the classpath");
            }
            byte[] text = in.readAllBytes();
            return new LuaScript(name, text, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
