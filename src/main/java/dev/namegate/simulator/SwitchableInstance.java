package dev.namegate.simulator;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import reactor.netty.DisposableServer;

/**
 * One address of the simulator that is either dead ({@link DeadInstance}) or serving like the
 * live instances, switched at runtime on the same port. Going dead closes the listening socket
 * and every open connection at once, requests in flight included, like an instance that fails
 * ({@code DisposableServer.disposeNow} alone would leave the connections of a server without a
 * channel group open, and with one would wait for their requests); coming back closes the dead
 * socket and binds a live server on the port. Between the two, for about a millisecond, connects
 * are refused.
 *
 * <p>Thread-safe. {@link #dead(boolean)} binds and closes sockets and waits for them, so it must
 * not run on an event loop.
 */
final class SwitchableInstance implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** Binds a live server on a port (0 = ephemeral) that adds every accepted connection to a group. */
    @FunctionalInterface
    interface LiveBinder {
        DisposableServer bind(int port, ChannelGroup connections);
    }

    private final LiveBinder binder;
    private final int port;
    // At most one of the two is bound; both are null only after a failed switch or close.
    private DeadInstance dead;
    private DisposableServer live;
    private ChannelGroup connections;
    private boolean closed;

    /**
     * Binds an ephemeral port, dead or live, and keeps it for every later switch.
     *
     * @throws RuntimeException if the port cannot be bound
     */
    SwitchableInstance(LiveBinder binder, boolean startDead) {
        this.binder = binder;
        if (startDead) {
            dead = new DeadInstance();
            port = dead.port();
        } else {
            connections = newGroup();
            live = binder.bind(0, connections);
            port = live.port();
        }
    }

    /** {@code http://127.0.0.1:PORT}, the same whether dead or live. */
    String baseUrl() {
        return "http://" + LOOPBACK + ":" + port;
    }

    synchronized boolean isDead() {
        return dead != null;
    }

    /**
     * Makes the address dead or live; nothing happens if it already is.
     *
     * @throws RuntimeException if the port cannot be bound again (another process took it)
     */
    synchronized void dead(boolean goDead) {
        if (closed || (goDead ? dead != null : live != null)) {
            return;
        }
        if (goDead) {
            closeLive();
            dead = new DeadInstance(port);
        } else {
            if (dead != null) {
                dead.close();
                dead = null;
            }
            connections = newGroup();
            live = binder.bind(port, connections);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeLive();
        if (dead != null) {
            dead.close();
            dead = null;
        }
    }

    private void closeLive() {
        if (live == null) {
            return;
        }
        live.dispose();
        connections.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
        live.onDispose().block(CLOSE_TIMEOUT);
        live = null;
    }

    private ChannelGroup newGroup() {
        // stayClosed: the listener closes asynchronously after dispose(), and a connection it
        // accepts meanwhile joins the group after close() ran; it must be closed too, not serve on.
        return new DefaultChannelGroup("namegate-sim-switchable", GlobalEventExecutor.INSTANCE, true);
    }
}
