package dev.namegate.bench;

/** How one benchmark request ended; every request lands in exactly one class. */
public enum Outcome {
    /** The answer the contract promises for this id (a name, a 404 problem, or an expected problem). */
    CORRECT,
    /** An answer arrived, but its status or body is not the promised one. */
    WRONG,
    /** No answer: client-side timeout, refused or reset connection. */
    FAILED
}
