package dev.namegate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code wrk} once, one thread, a fixed number of connections (a closed loop: each connection
 * sends its next request when the previous answer arrives), with a {@link WrkScript}, and returns
 * what its {@code done()} hook printed. wrk's whole output stays in a log file per run.
 *
 * @param prefix command prefix, e.g. {@code taskset -c 1} (the CPU beside the system under test)
 */
record Wrk(List<String> prefix) {

    /** Beyond the run's own duration, what wrk may take to start and to print its result. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    Wrk {
        prefix = List.copyOf(prefix);
    }

    /** The command line of one run: {@code wrk -t1 -c<N> -d<S>s --latency -s <script> <url>}. */
    List<String> command(int connections, Duration duration, Path script, String url) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s", "--latency",
                "-s", script.toString(), url));
        return command;
    }

    /**
     * Runs wrk and waits for it (never longer than {@code duration} plus 30 s: then it is killed).
     *
     * @throws IOException when wrk cannot start, overruns, or prints no result (e.g. it could not connect)
     */
    WrkResult run(int connections, Duration duration, Path script, String url, Path log)
            throws IOException, InterruptedException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process wrk = new ProcessBuilder(command(connections, duration, script, url)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!wrk.waitFor(duration.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("wrk still running " + GRACE.toSeconds() + " s after its duration; see " + log);
            }
            try {
                return WrkResult.parse(Files.readString(log, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException noResult) {
                throw new IOException(noResult.getMessage() + " (exit " + wrk.exitValue() + "; see " + log + ")");
            }
        } finally {
            wrk.destroyForcibly();
        }
    }

    /** Whether {@code wrk} is on the PATH. */
    static boolean installed() {
        return CpuPinning.onPath("wrk");
    }
}
