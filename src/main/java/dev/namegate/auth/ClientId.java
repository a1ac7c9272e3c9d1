package dev.namegate.auth;

import java.util.regex.Pattern;

/**
 * The name of an API client as written in the keys file: 1 to 64 characters of
 * {@code [A-Za-z0-9._-]}. Not a secret; safe to log and to use as a metrics tag.
 */
public record ClientId(String value) {

    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** @throws IllegalArgumentException when {@code value} is not an acceptable client id */
    public ClientId {
        if (!isValid(value)) {
            throw new IllegalArgumentException("client id must be 1 to 64 characters of [A-Za-z0-9._-]");
        }
    }

    public static boolean isValid(String value) {
        return value != null && ACCEPTABLE.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
