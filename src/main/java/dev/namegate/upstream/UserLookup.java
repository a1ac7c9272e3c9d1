package dev.namegate.upstream;

/** What the internal service said about one user id. */
public sealed interface UserLookup {

    record Found(long id, String name) implements UserLookup {
    }

    record NotFound(long id) implements UserLookup {
    }
}
