package dev.namegate.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * What a cluster sends a running pod besides its users' requests, at the periods of {@code k8s/}:
 * the kubelet's readiness probe every 5 s and liveness probe every 10 s on the main port, and
 * Prometheus's scrape every 15 s on the management port. A benchmark without them measures a JIT
 * profile no deployment has: after a warm-up of only lookups, the first scrape deoptimized the
 * request path and took a quarter to a half of the next 10 s of throughput (docs/benchmarks.md).
 */
public final class OperatorTraffic implements AutoCloseable {

    /** The Deployment's {@code readinessProbe.periodSeconds}. */
    public static final Duration READINESS_PERIOD = Duration.ofSeconds(5);
    /** The Deployment's {@code livenessProbe.periodSeconds}. */
    public static final Duration LIVENESS_PERIOD = Duration.ofSeconds(10);
    /** The ServiceMonitor's {@code interval}. */
    public static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(15);
    /** The probes' {@code timeoutSeconds}; a scrape gets the ServiceMonitor's 5 s. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(5);

    private final ScheduledExecutorService timer;
    private final HttpClient client;
    private final List<Check> checks;

    private OperatorTraffic(List<Check> checks) {
        this.checks = checks;
        this.client = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "operator-traffic");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts the probes and the scrapes of a service that is ready; each runs once at once, then at its period. */
    public static OperatorTraffic start(String baseUrl, String managementUrl) {
        OperatorTraffic traffic = new OperatorTraffic(List.of(
                new Check("readiness probes", URI.create(baseUrl + "/readyz"), READINESS_PERIOD, PROBE_TIMEOUT),
                new Check("liveness probes", URI.create(baseUrl + "/livez"), LIVENESS_PERIOD, PROBE_TIMEOUT),
                new Check("scrapes", URI.create(managementUrl + "/actuator/prometheus"), SCRAPE_INTERVAL,
                        SCRAPE_TIMEOUT)));
        for (Check check : traffic.checks) {
            traffic.timer.scheduleAtFixedRate(() -> traffic.send(check), 0, check.period().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return traffic;
    }

    private void send(Check check) {
        HttpRequest request = HttpRequest.newBuilder(check.uri()).timeout(check.timeout()).GET().build();
        boolean ok;
        try {
            ok = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        check.sent().incrementAndGet();
        if (!ok) {
            check.failed().incrementAndGet();
        }
    }

    /** For example {@code readiness probes 24 (0 failed), liveness probes 12 (0 failed), scrapes 8 (0 failed)}. */
    public String describe() {
        return checks.stream()
                .map(check -> check.name() + " " + check.sent().get() + " (" + check.failed().get() + " failed)")
                .collect(Collectors.joining(", "));
    }

    /** Stops sending; a request under way is abandoned. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** A failed check is one without a 200 in its timeout: a probe that failed, a scrape Prometheus would miss. */
    private record Check(String name, URI uri, Duration period, Duration timeout, AtomicLong sent, AtomicLong failed) {
        Check(String name, URI uri, Duration period, Duration timeout) {
            this(name, uri, period, timeout, new AtomicLong(), new AtomicLong());
        }
    }
}
