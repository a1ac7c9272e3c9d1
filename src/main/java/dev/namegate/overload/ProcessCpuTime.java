package dev.namegate.overload;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * The CPU time this process has used, all its threads (the collector's and the compiler's
 * included), from the operating system's account: what the {@link CpuPace} divides among the
 * requests. The JDK reads it in clock ticks (10 ms on Linux), fine enough over 100 ms windows.
 */
final class ProcessCpuTime {

    /** Where the platform does not tell. */
    static final LongSupplier UNKNOWN = () -> -1;

    private ProcessCpuTime() {
    }

    /** Nanoseconds of CPU time since the JVM started; {@link #UNKNOWN} where the JDK has no such account. */
    static LongSupplier ofThisJvm() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os::getProcessCpuTime
                : UNKNOWN;
    }
}
