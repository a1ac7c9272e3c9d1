package dev.namegate.bench;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import io.netty.util.ResourceLeakDetector;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The baseline the issue quotes: the naive WebFlux + WebClient proxy, nothing of namegate in it.
 * A functional route {@code GET /users/{id}} calls {@code POST {upstream}/{id}} with a default
 * {@link WebClient}, maps the JSON with Jackson and answers {@code {"id":..,"name":..}}: no key,
 * no retry, no timeout, no deadline, no metrics, no limits. What it costs per request on one core
 * is what Spring WebFlux and Reactor Netty cost before any of namegate's work
 * ({@code BenchMain --naive}). Healthy upstream only: any failure is passed on as an error.
 *
 * <p>With {@code --cache} it keeps every name it was given in a plain map and answers a repeated id
 * from it: the baseline of namegate's cache hits, what the same route costs with no upstream call.
 */
public final class NaiveProxy {

    static final String READY = "naive proxy listening on ";

    /** The option that keeps names and answers repeated ids from them. */
    static final String CACHE = "--cache";

    record InternalUser(String name) {
    }

    record PublicUser(long id, String name) {
    }

    public static void main(String[] args) {
        String upstream = null;
        int port = 0;
        boolean cache = false;
        for (String arg : args) {
            if (arg.startsWith("--upstream=")) {
                upstream = arg.substring("--upstream=".length());
            } else if (arg.startsWith("--port=")) {
                port = Integer.parseInt(arg.substring("--port=".length()));
            } else if (arg.equals(CACHE)) {
                cache = true;
            }
        }
        if (upstream == null) {
            throw new IllegalArgumentException("usage: NaiveProxy --upstream=http://host:port [--port=N] [" + CACHE + "]");
        }
        // as namegate runs (spring.netty.leak-detection): the baseline compares code, not this switch
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        WebClient client = WebClient.builder().baseUrl(upstream).build();
        Map<Long, String> names = cache ? new ConcurrentHashMap<>() : null;
        var route = RouterFunctions.route(GET("/users/{id}"), request -> {
            long id = Long.parseLong(request.pathVariable("id"));
            String known = names == null ? null : names.get(id);
            if (known != null) {
                return answer(id, known);
            }
            return client.post().uri("/{id}", id).retrieve().bodyToMono(InternalUser.class)
                    .flatMap(user -> {
                        if (names != null) {
                            names.put(id, user.name());
                        }
                        return answer(id, user.name());
                    });
        });
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(port)
                .handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(route)))
                .bindNow();
        System.out.println(READY + "http://127.0.0.1:" + server.port());
        server.onDispose().block();
    }

    private static Mono<ServerResponse> answer(long id, String name) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(new PublicUser(id, name));
    }

    /**
     * A started proxy process; closing it ends it.
     *
     * @param stops when its JVM stopped, logged beside its output
     */
    record Running(ManagedProcess process, String baseUrl, JvmStops stops) implements AutoCloseable {
        @Override
        public void close() {
            process.close();
        }
    }

    /**
     * The proxy as a process on this JVM's class path, e.g. pinned with {@code taskset -c 0}.
     *
     * @param cache whether it answers repeated ids from its map ({@value #CACHE})
     */
    static Running start(List<String> prefix, String upstream, boolean cache, List<String> jvmArgs, Path log)
            throws IOException, InterruptedException {
        JvmStops stops = JvmStops.beside("NaiveProxy", log);
        List<String> command = new ArrayList<>(prefix);
        command.add(Java.launcher());
        command.addAll(jvmArgs);
        command.addAll(List.of(stops.jvmOption(), "-cp", System.getProperty("java.class.path"), NaiveProxy.class.getName(),
                "--upstream=" + upstream));
        if (cache) {
            command.add(CACHE);
        }
        ManagedProcess process = ManagedProcess.start("naive-proxy", command, Map.of(), log, line -> line.startsWith(READY));
        try {
            return new Running(process, process.awaitLine(Duration.ofSeconds(60)).substring(READY.length()).trim(),
                    stops);
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.close();
            throw e;
        }
    }

    private NaiveProxy() {
    }
}
