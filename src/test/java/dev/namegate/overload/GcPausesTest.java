package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.reflect.Proxy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Which collectors' time counts as the JVM stopped, by the names the JDK gives them. */
class GcPausesTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "Copy, true",
            "MarkSweepCompact, true",
            "PS Scavenge, true",
            "G1 Young Generation, true",
            "G1 Old Generation, true",
            "G1 Concurrent GC, true",
            "ZGC Pauses, true",
            "ZGC Cycles, false",
            "ZGC Minor Cycles, false",
            "Shenandoah Pauses, true",
            "Shenandoah Cycles, false"})
    void countsOnlyTheCollectorsThatStopTheWorld(String name, boolean stops) {
        assertThat(GcPauses.stopsTheWorld(collectorNamed(name))).isEqualTo(stops);
    }

    @Test
    void thisJvmsPausesOnlyGrow() {
        GcPauses pauses = GcPauses.ofThisJvm();
        long before = pauses.getAsLong();
        System.gc();
        assertThat(pauses.getAsLong()).isGreaterThanOrEqualTo(before).isGreaterThanOrEqualTo(0);
    }

    private static GarbageCollectorMXBean collectorNamed(String name) {
        return (GarbageCollectorMXBean) Proxy.newProxyInstance(GcPausesTest.class.getClassLoader(),
                new Class<?>[] {GarbageCollectorMXBean.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getName")) {
                        return name;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
