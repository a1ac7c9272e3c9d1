package dev.namegate.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

/** Small helpers for starting JVM children on loopback. */
final class Java {

    /**
     * The Deployment's first metaspace threshold, for every child JVM: at the JVM's own (about 21
     * MB) the JIT's method profiles brought a full collection minutes into a benchmark (30 ms of
     * the simulator, failing the attempts in flight).
     */
    static final String METASPACE_THRESHOLD = "-XX:MetaspaceSize=64m";

    private Java() {
    }

    /** The java launcher of the JVM running the benchmark, so children use the same JDK. */
    static String launcher() {
        return launcher(Path.of(System.getProperty("java.home")));
    }

    /** The java launcher of the JDK (or JRE) installed at {@code javaHome}. */
    static String launcher(Path javaHome) {
        return javaHome.resolve("bin").resolve("java").toString();
    }

    /**
     * A port that was free a moment ago on 127.0.0.1. The kernel picks it (bind to 0), which is
     * racy in theory but fine on a benchmark machine, and avoids a fixed port colliding with a
     * developer's running service.
     */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
