package dev.namegate.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's leak detector for the tests: every leak it finds is kept for {@link NoBufferLeaks}
 * to fail on, not only logged. Netty builds it for every kind of tracked resource when the
 * system property {@code io.netty.customResourceLeakDetector} names this class (set by the
 * build for every test JVM), so it is in place before the first buffer exists. Netty reports
 * a leak from one place once: the same leak again fails no later class.
 */
public final class RecordedBufferLeaks<T> extends ResourceLeakDetector<T> {

    static final String PROPERTY = "io.netty.customResourceLeakDetector";

    private static final Queue<RecordedBufferLeaks<?>> DETECTORS = new ConcurrentLinkedQueue<>();

    private final Queue<String> leaks = new ConcurrentLinkedQueue<>();

    // Netty's factory looks for either constructor; the second is the one it calls today.
    public RecordedBufferLeaks(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    public RecordedBufferLeaks(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        DETECTORS.add(this);
    }

    /** Whether this JVM's buffers are tracked by this class. */
    static boolean installed() {
        return RecordedBufferLeaks.class.getName().equals(System.getProperty(PROPERTY));
    }

    /** The leaks every detector found since the last call, each with where it was last touched. */
    static List<String> drainAll() {
        List<String> found = new ArrayList<>();
        DETECTORS.forEach(detector -> found.addAll(detector.drain()));
        return found;
    }

    /** The leaks this detector found since the last call. */
    List<String> drain() {
        List<String> found = new ArrayList<>();
        for (String leak; (leak = leaks.poll()) != null;) {
            found.add(leak);
        }
        return found;
    }

    // Reported whether or not Netty's own logger is on: a leak fails the test either way.
    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        leaks.add(resourceType + " released by nobody; last touched:" + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        leaks.add(resourceType + " released by nobody (no record of where it was touched)");
        super.reportUntracedLeak(resourceType);
    }
}
