package dev.namegate.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A child process the benchmark started: its output is copied to a log file, one line of it can
 * be awaited, and closing it ends it (destroy, then destroyForcibly after 5 s). A JVM shutdown
 * hook closes every process still running, so an interrupted benchmark leaves nothing behind.
 */
public final class ManagedProcess implements AutoCloseable {

    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final Set<ManagedProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ManagedProcess::close),
                "bench-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final CompletableFuture<String> awaited = new CompletableFuture<>();
    private final Predicate<String> awaitedLine;

    private ManagedProcess(String name, Process process, Path log, Predicate<String> awaitedLine) {
        this.name = name;
        this.process = process;
        this.awaitedLine = awaitedLine;
        Thread pump = new Thread(() -> pump(log), name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code command} with extra {@code environment}, stdout and stderr merged into {@code log}.
     *
     * @param awaitedLine the first output line matching it completes {@link #awaitLine(Duration)};
     *                    {@code null} for none
     */
    public static ManagedProcess start(String name, List<String> command, Map<String, String> environment,
            Path log, Predicate<String> awaitedLine) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        ManagedProcess managed = new ManagedProcess(name, builder.start(), log, awaitedLine);
        RUNNING.add(managed);
        return managed;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String name() {
        return name;
    }

    /** The first output line that matched, waiting at most {@code timeout}; fails if the process exits first. */
    public String awaitLine(Duration timeout) throws IOException, InterruptedException {
        try {
            return awaited.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException(name + " printed no expected line within " + timeout, e);
        } catch (ExecutionException e) {
            throw new IOException(name + " ended before it was ready", e.getCause());
        }
    }

    /**
     * The exit status once the process has ended by itself, waiting at most {@code timeout}.
     *
     * @throws IOException if it is still running then (it is left running: {@link #close()} ends it)
     */
    public int awaitExit(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException(name + " still running after " + timeout);
        }
        RUNNING.remove(this);
        return process.exitValue();
    }

    /** Copies output to the log (never to our stdout: the results table must stay readable). */
    private void pump(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintStream out = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                if (awaitedLine != null && !awaited.isDone() && awaitedLine.test(line)) {
                    awaited.complete(line);
                }
            }
        } catch (IOException e) {
            // The process went away; the log has what it printed.
        } finally {
            awaited.completeExceptionally(new IOException(name + " exited with output closed; see " + log));
        }
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(this);
        }
    }
}
