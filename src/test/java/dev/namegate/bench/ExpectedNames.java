package dev.namegate.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.LongFunction;

/**
 * The name the simulator gives each known id: {@code dev.namegate.simulator.SimulatedUsers.nameOf(long)}.
 * Looked up at run time so the harness compiles on its own branch; a missing simulator fails the
 * benchmark at start, not halfway.
 */
final class ExpectedNames {

    private static final String CLASS = "dev.namegate.simulator.SimulatedUsers";

    private ExpectedNames() {
    }

    static LongFunction<String> fromSimulator() {
        MethodHandle nameOf;
        try {
            nameOf = MethodHandles.publicLookup().findStatic(Class.forName(CLASS), "nameOf",
                    MethodType.methodType(String.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(CLASS + ".nameOf(long) is not on the classpath; merge feat-sim "
                    + "and rebuild target/classes", e);
        }
        return id -> {
            try {
                return (String) nameOf.invokeExact(id);
            } catch (Throwable e) {
                // An id it refuses has no expected name: the answer will be judged wrong.
                return null;
            }
        };
    }
}
