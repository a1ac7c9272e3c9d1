package dev.namegate.upstream.client;

/**
 * What this process's own load says about a missed timeout: an attempt cannot tell a slow
 * internal service from our own event loops running late.
 */
public interface OwnLoad {

    /** Never lagging (the probe is switched off). */
    OwnLoad NONE = new OwnLoad() {
        @Override
        public boolean overloaded() {
            return false;
        }

        @Override
        public boolean stalled() {
            return false;
        }

        @Override
        public boolean shedding() {
            return false;
        }
    };

    /** True while our own load makes our event loops lag: a timeout now is probably ours. */
    boolean overloaded();

    /** True when our event loops ran late just now, whatever the load (a GC pause, the JIT). */
    boolean stalled();

    /**
     * True while overloaded and the admission gate holds a limit: more work than the core finishes
     * in time, so a timeout now is ours and its retry would only add to the overload.
     */
    boolean shedding();
}
