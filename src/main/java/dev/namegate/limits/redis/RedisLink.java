package dev.namegate.limits.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import reactor.core.publisher.Mono;

/**
 * One connection to Redis (Lettuce multiplexes every call of this replica over it), and the
 * scripts run on it. Connecting never happens on the request path: the first connection is
 * started with the link and, while there is none, every call fails at once (and the next one
 * tries again in the background); a lost connection is re-established by Lettuce, which refuses
 * calls meanwhile instead of queueing them.
 */
final class RedisLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static final Mono<List<Object>> NOT_CONNECTED = Mono.error(new RedisNotConnected());

    private final RedisClient client;
    private final ClientResources resources;
    private final RedisURI uri;
    private final String address;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile boolean closed;

    RedisLink(RedisLimitsProperties properties) {
        this.uri = RedisURI.create(properties.url());
        // Lettuce's own command timeout, a safety net behind the per-call one: a call the request
        // stopped waiting for is still failed, so a Redis that accepts but never answers cannot
        // hold commands for ever.
        this.uri.setTimeout(COMMAND_TIMEOUT);
        if (properties.passwordFile() != null) {
            uri.setPassword(password(properties));
        }
        this.address = uri.getHost() + ":" + uri.getPort(); // never the URI itself, for its password
        // Lettuce's own threads: two I/O loops suffice for one connection and its reconnects.
        // Reconnects back off from 10 ms to the retry interval (Lettuce's default goes to 30 s),
        // so the limits are shared again soon after Redis is back.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), properties.retryInterval(), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(properties.connectTimeout()).build())
                .build());
        connectInBackground();
    }

    private static char[] password(RedisLimitsProperties properties) {
        try {
            return Files.readString(properties.passwordFile()).strip().toCharArray();
        } catch (IOException e) {
            throw new UncheckedIOException("namegate.limits.redis.password-file cannot be read: "
                    + properties.passwordFile(), e);
        }
    }

    /** Host and port, for log lines (the URL may name a user; the password is never in it). */
    String address() {
        return address;
    }

    /** Whether a connection is up (Lettuce may still be re-establishing it). */
    boolean connected() {
        StatefulRedisConnection<byte[], byte[]> current = connection;
        return current != null && current.isOpen();
    }

    /**
     * Runs {@code script} ({@code EVALSHA}, or {@code EVAL} once when Redis does not know it, e.g.
     * after a restart). Completes on a Lettuce thread; fails at once while not connected.
     */
    Mono<List<Object>> run(LuaScript script, byte[][] keys, byte[]... args) {
        StatefulRedisConnection<byte[], byte[]> current = connection;
        if (current == null) {
            connectInBackground();
            return NOT_CONNECTED;
        }
        return Mono.<List<Object>>fromCompletionStage(
                        () -> current.async().evalsha(script.sha1(), ScriptOutputType.MULTI, keys, args))
                .onErrorResume(RedisNoScriptException.class, unknown -> Mono.fromCompletionStage(
                        () -> current.async().eval(script.text(), ScriptOutputType.MULTI, keys, args)));
    }

    private void connectInBackground() {
        if (closed || !connecting.compareAndSet(false, true)) {
            return;
        }
        client.connectAsync(ByteArrayCodec.INSTANCE, uri).whenComplete((made, failure) -> {
            connecting.set(false);
            if (failure != null) {
                log.debug("no connection to Redis at {}: {}", address, failure.getClass().getSimpleName());
            } else if (closed) {
                made.closeAsync();
            } else {
                // Loaded before the first call uses the link: that call then needs one round trip,
                // and the classes of the script path are loaded off the request path.
                CompletableFuture<?>[] loads = LuaScript.ALL.stream()
                        .map(script -> made.async().scriptLoad(script.text()).toCompletableFuture())
                        .toArray(CompletableFuture[]::new);
                CompletableFuture.allOf(loads).whenComplete((loaded, notLoaded) -> connection = made);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<byte[], byte[]> current = connection;
        if (current != null) {
            current.close();
        }
        client.shutdown();
        resources.shutdown();
    }

    /** No connection to Redis yet. */
    static final class RedisNotConnected extends RuntimeException {
        RedisNotConnected() {
            super("not connected to Redis", null, false, false);
        }
    }
}
