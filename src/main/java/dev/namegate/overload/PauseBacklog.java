package dev.namegate.overload;

/**
 * The lag a collector's pause leaves after it is over. The requests that arrived while the JVM
 * stood still are read at once afterwards, and the loops run late while they are worked off: a
 * pause {@code P} long at a load {@code ρ} leaves {@code ρ·P} of work, which drains at
 * {@code 1 - ρ} of real time. So for any load up to {@code load} the pause explains a lag of up to
 * {@code load·P}, less {@code 1 - load} of the time since; that much of the loops' lag is not our
 * own load and must not set a limit. An overload's own lag outgrows it: at twice what the core
 * serves, the lag grows by the time itself. Backlogs of pauses in quick succession add up.
 * Hand-written: what it judges is this gate's own notion of lag.
 */
final class PauseBacklog {

    private final double load;
    private long pausedSeen;
    /** The allowance when last grown by a pause, and when. */
    private long allowanceNanos;
    private long allowanceAt;

    /**
     * @param load the highest share of the core whose pauses' backlog is let off; 0 lets off none
     * @param pausedNanos the collector's pauses so far ({@link GcPauses}): those are not news
     */
    PauseBacklog(double load, long pausedNanos) {
        this.load = load;
        this.pausedSeen = pausedNanos;
    }

    /**
     * The lag the collector's pauses still explain at {@code nowNanos}, given their total then;
     * a total that grew since the last call is a pause that ended since.
     */
    synchronized long lagNanos(long nowNanos, long pausedNanos) {
        long since = nowNanos - allowanceAt;
        long left = Math.max(0, allowanceNanos - (since - (long) (load * since)));
        if (pausedNanos > pausedSeen) {
            left += (long) (load * (pausedNanos - pausedSeen));
            pausedSeen = pausedNanos;
            allowanceNanos = left;
            allowanceAt = nowNanos;
        }
        return left;
    }
}
