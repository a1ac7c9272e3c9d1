package dev.namegate.overload;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long the garbage collector has kept the JVM stopped, from the collectors' own accounts: the
 * total time of the collectors that stop the world (Serial, Parallel, G1's young and full
 * collections and, from JDK 20, its remark and cleanup pauses, which its {@code Concurrent GC}
 * account times; the pauses of ZGC and Shenandoah), not of the cycles that run beside the
 * application. Each account is brought up to date when its collection ends, before the
 * application runs again, so a probe that a pause delayed already sees it.
 */
final class GcPauses implements LongSupplier {

    private final List<GarbageCollectorMXBean> pausing;

    private GcPauses(List<GarbageCollectorMXBean> pausing) {
        this.pausing = pausing;
    }

    /** The running JVM's collectors. */
    static GcPauses ofThisJvm() {
        return new GcPauses(ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(GcPauses::stopsTheWorld).toList());
    }

    static boolean stopsTheWorld(GarbageCollectorMXBean collector) {
        String name = collector.getName();
        return !name.contains("Cycles");
    }

    /** Nanoseconds paused since the JVM started (millisecond resolution). */
    @Override
    public long getAsLong() {
        long millis = 0;
        for (GarbageCollectorMXBean collector : pausing) {
            millis += Math.max(0, collector.getCollectionTime());
        }
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
