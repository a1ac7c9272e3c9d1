package dev.namegate.upstream.instances;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

import reactor.core.scheduler.Scheduler;

import dev.namegate.upstream.attempt.AttemptOutcome;
import reactor.core.scheduler.Schedulers;

/**
 * The internal service's instances, taken in turn, with passive outlier detection as Envoy does
 * it: an instance that fails to connect or to answer in time several times in a row is ejected
 * for a while (longer each time it is ejected again), and a retry never goes back to the instance
 * that just failed when there is another one. Never are all instances ejected: when every other
 * instance is out, the one due back first is used.
 *
 * <p>An instance due back is on probation until it answers: it takes one attempt at a time, and a
 * connect failure or timeout of that attempt ejects it again at once. Put back whole, a dead
 * instance took its share of every attempt until enough had failed in a row: a burst of late
 * answers each time its ejection ended.
 */
public final class UpstreamInstances {

    /** Hears ejections and returns (to log them and count them). */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void ejected(String instance, long forMillis) {
        }

        default void returned(String instance) {
        }
    }

    private final String[] bases;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicIntegerArray consecutiveFailures;
    private final AtomicIntegerArray consecutiveTimeouts;
    private final AtomicIntegerArray timesEjected;
    /** Nanos (on the clock) until which each instance is out; 0 when in, past when on probation. */
    private final AtomicLongArray ejectedUntil;
    /** Nanos until which the attempt probing an instance on probation holds it. */
    private final AtomicLongArray probedUntil;
    private final int threshold;
    private final int timeoutThreshold;
    private final long baseEjectionNanos;
    private final long maxEjectionNanos;
    private final long probeNanos;
    private final Scheduler clock;
    private final Listener listener;
    /** While true, outcomes are not judged (the warm-up of a cold process). */
    private volatile boolean suspended;

    UpstreamInstances(List<URI> baseUrls, int threshold, long baseEjectionNanos, long maxEjectionNanos,
            long probeNanos, Scheduler clock, Listener listener) {
        this(baseUrls, threshold, threshold, baseEjectionNanos, maxEjectionNanos, probeNanos, clock, listener);
    }

    /**
     * @param threshold connect failures in a row that eject an instance
     * @param timeoutThreshold response timeouts in a row that eject it (higher: slowness is often
     *        the network's, not the instance's, as in the story's far data centre)
     * @param probeNanos how long an instance on probation stays with the attempt probing it (an
     *        attempt's time): a probe given up without an outcome frees it after that
     */
    public UpstreamInstances(List<URI> baseUrls, int threshold, int timeoutThreshold, long baseEjectionNanos,
            long maxEjectionNanos, long probeNanos, Scheduler clock, Listener listener) {
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException("at least one internal base URL is needed");
        }
        this.bases = baseUrls.stream().map(UpstreamInstances::withoutTrailingSlash).toArray(String[]::new);
        this.consecutiveFailures = new AtomicIntegerArray(bases.length);
        this.consecutiveTimeouts = new AtomicIntegerArray(bases.length);
        this.timesEjected = new AtomicIntegerArray(bases.length);
        this.ejectedUntil = new AtomicLongArray(bases.length);
        this.probedUntil = new AtomicLongArray(bases.length);
        // with one instance there is nowhere else to go: never eject
        this.threshold = baseUrls.size() > 1 ? threshold : Integer.MAX_VALUE;
        this.timeoutThreshold = baseUrls.size() > 1 ? timeoutThreshold : Integer.MAX_VALUE;
        this.baseEjectionNanos = baseEjectionNanos;
        this.maxEjectionNanos = maxEjectionNanos;
        this.probeNanos = probeNanos;
        this.clock = clock;
        this.listener = listener;
    }

    /** Round robin without outlier detection (tests, and a single instance). */
    public UpstreamInstances(List<URI> baseUrls) {
        this(baseUrls, Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0, 0, Schedulers.parallel(),
                Listener.NONE);
    }

    public int size() {
        return bases.length;
    }

    /** The instance for the next attempt: round robin over those in, skipping {@code previous} (-1 for none). */
    public int pick(int previous) {
        int n = bases.length;
        if (n == 1) {
            return 0;
        }
        long now = clock.now(TimeUnit.NANOSECONDS);
        int start = Math.floorMod(next.getAndIncrement(), n);
        int dueFirst = -1;
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (i == previous) {
                continue;
            }
            long until = ejectedUntil.get(i);
            if (until == 0 || until <= now && claimProbe(i, now)) {
                return i;
            }
            if (dueFirst < 0 || until < ejectedUntil.get(dueFirst)) {
                dueFirst = i;
            }
        }
        // everything but `previous` is out: use it if it is in, else the one due back first
        boolean previousIn = previous >= 0 && ejectedUntil.get(previous) <= now;
        return previousIn || dueFirst < 0 ? previous : dueFirst;
    }

    /** Gives an instance on probation to this attempt unless another attempt is probing it. */
    private boolean claimProbe(int instance, long now) {
        long held = probedUntil.get(instance);
        return held <= now && probedUntil.compareAndSet(instance, held, now + probeNanos);
    }

    /** Due back and not answered since. */
    private boolean onProbation(int instance) {
        long until = ejectedUntil.get(instance);
        return until != 0 && until <= clock.now(TimeUnit.NANOSECONDS);
    }

    /** Stops judging outcomes (or starts again, with every instance back in and nothing counted). */
    public void suspend(boolean suspend) {
        suspended = suspend;
        if (!suspend) {
            for (int i = 0; i < bases.length; i++) {
                consecutiveFailures.set(i, 0);
                consecutiveTimeouts.set(i, 0);
                timesEjected.set(i, 0);
                ejectedUntil.set(i, 0);
                probedUntil.set(i, 0);
            }
        }
    }

    /** Records an attempt's outcome on its instance. */
    public void record(int instance, AttemptOutcome outcome) {
        if (suspended || threshold == Integer.MAX_VALUE && timeoutThreshold == Integer.MAX_VALUE) {
            return;
        }
        switch (outcome.instance()) {
            case CONNECT_FAILED -> {
                if (consecutiveFailures.incrementAndGet(instance) >= threshold || onProbation(instance)) {
                    eject(instance);
                }
            }
            case TIMED_OUT -> {
                if (consecutiveTimeouts.incrementAndGet(instance) >= timeoutThreshold || onProbation(instance)) {
                    eject(instance);
                }
            }
            case HEALTHY -> healthy(instance);
            case NONE -> {
                // says nothing about this instance, but a probe that ended so frees it for the next
                if (probedUntil.get(instance) != 0) {
                    probedUntil.set(instance, 0);
                }
            }
        }
    }

    private void healthy(int instance) {
        if (consecutiveFailures.get(instance) != 0) {
            consecutiveFailures.set(instance, 0);
        }
        if (consecutiveTimeouts.get(instance) != 0) {
            consecutiveTimeouts.set(instance, 0);
        }
        long until = ejectedUntil.get(instance);
        if (until != 0 && ejectedUntil.compareAndSet(instance, until, 0)) {
            listener.returned(bases[instance]);
        } else if (until == 0 && timesEjected.get(instance) != 0) {
            timesEjected.set(instance, 0); // healthy again: the next ejection starts short
        }
    }

    private void eject(int instance) {
        long now = clock.now(TimeUnit.NANOSECONDS);
        long until = ejectedUntil.get(instance);
        if (until > now) {
            return; // already out
        }
        int times = timesEjected.incrementAndGet(instance);
        long duration = Math.min(maxEjectionNanos, baseEjectionNanos * times);
        if (ejectedUntil.compareAndSet(instance, until, now + duration)) {
            consecutiveFailures.set(instance, 0);
            consecutiveTimeouts.set(instance, 0);
            probedUntil.set(instance, 0);
            listener.ejected(bases[instance], TimeUnit.NANOSECONDS.toMillis(duration));
        }
    }

    /** Instances out of rotation now. */
    public int ejectedCount() {
        long now = clock.now(TimeUnit.NANOSECONDS);
        int count = 0;
        for (int i = 0; i < bases.length; i++) {
            long until = ejectedUntil.get(i);
            if (until != 0 && until > now) {
                count++;
            }
        }
        return count;
    }

    /** {@code POST} target for a user id; the id is a validated number, so nothing needs escaping. */
    public URI uri(int instance, long userId) {
        return URI.create(bases[instance] + '/' + userId);
    }

    public String base(int instance) {
        return bases[instance];
    }

    private static String withoutTrailingSlash(URI url) {
        String s = url.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
