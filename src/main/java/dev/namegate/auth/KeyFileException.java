package dev.namegate.auth;

/**
 * A keys file that cannot be used. The message names the file and the line number but never
 * the line's content: a line holds a key hash, and a mistyped line may even hold a key.
 */
public class KeyFileException extends RuntimeException {

    private final int line;

    KeyFileException(String source, int line, String problem) {
        super("keys file " + source + " line " + line + ": " + problem);
        this.line = line;
    }

    KeyFileException(String source, String problem, Throwable cause) {
        super("keys file " + source + ": " + problem, cause);
        this.line = 0;
    }

    /** The 1-based line at fault, or 0 when the file as a whole is at fault (e.g. unreadable). */
    public int line() {
        return line;
    }
}
