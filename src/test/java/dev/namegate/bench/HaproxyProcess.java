package dev.namegate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * HAProxy (Debian package {@code haproxy}) as a child process in front of the simulator: one
 * thread, keep-alive both ways, {@code GET /users/{id}} rewritten to the internal contract's
 * {@code POST /{id}}, round robin over the simulator's addresses. Nothing else (no checks, no
 * retries, no logs): the ceiling of a proxy on this machine. Closing it ends it.
 */
final class HaproxyProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final ManagedProcess process;
    private final String baseUrl;

    private HaproxyProcess(ManagedProcess process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    /** The configuration: listen on 127.0.0.1:{@code port}, forward to every one of {@code upstreams}. */
    static String config(int port, List<String> upstreams) {
        StringBuilder text = new StringBuilder("""
                global
                    nbthread 1
                    # two descriptors per connection must fit a container's limit of 20,000
                    maxconn 4096

                defaults
                    mode http
                    timeout connect 1s
                    timeout client 30s
                    timeout server 30s
                    http-reuse always

                frontend users
                """);
        text.append("    bind 127.0.0.1:").append(port).append('\n');
        text.append("""
                    default_backend simulator

                backend simulator
                    balance roundrobin
                    http-request set-method POST
                    http-request replace-path /users/(.*) /\\1
                """);
        for (int i = 0; i < upstreams.size(); i++) {
            URI upstream = URI.create(upstreams.get(i));
            text.append("    server s").append(i).append(' ').append(upstream.getHost()).append(':')
                    .append(upstream.getPort()).append('\n');
        }
        return text.toString();
    }

    /**
     * Writes the configuration to {@code directory/haproxy.cfg} and starts HAProxy in the
     * foreground; returns once its port accepts connections.
     *
     * @param prefix command prefix, e.g. {@code taskset -c 0}
     */
    static HaproxyProcess start(List<String> prefix, List<String> upstreams, Path directory, Path log)
            throws IOException, InterruptedException {
        int port = Java.freePort();
        Path config = directory.resolve("haproxy.cfg");
        Files.createDirectories(directory);
        Files.writeString(config, config(port, upstreams), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("haproxy", "-db", "-f", config.toString()));
        ManagedProcess process = ManagedProcess.start("haproxy", command, Map.of(), log, null);
        try {
            awaitPort(process, port);
            return new HaproxyProcess(process, "http://127.0.0.1:" + port);
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.close();
            throw e;
        }
    }

    private static void awaitPort(ManagedProcess process, int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("haproxy exited before it listened; see its log");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("haproxy did not listen on " + port + " within " + START_TIMEOUT);
    }

    String baseUrl() {
        return baseUrl;
    }

    long pid() {
        return process.pid();
    }

    static boolean installed() {
        return CpuPinning.onPath("haproxy");
    }

    @Override
    public void close() {
        process.close();
    }
}
