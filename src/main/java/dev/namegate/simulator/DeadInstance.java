package dev.namegate.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * An address on 127.0.0.1 where a TCP connect never completes, like the dead instances that
 * "can not even start any connections", made without root and without firewall rules.
 *
 * <p>How: a listening socket with backlog 1 that never accepts, whose accept queue this class
 * fills itself with {@value #FILLER_CONNECTIONS} connections. Linux lets {@code backlog + 1}
 * connections wait in the accept queue and then drops further SYNs silently (no RST, whatever
 * {@code tcp_abort_on_overflow}'s default of 0 is), so a client's SYN is retransmitted until its
 * connect timeout fires. Checked on this machine's kernel by {@code DeadInstanceTest}. Other
 * systems size the queue differently; there the address may accept connections that then never
 * answer, which is a read timeout instead of a connect timeout.
 *
 * <p>A dead instance can take over the port a live one just released (and give it back when
 * closed), so one address can go dead and come back at runtime ({@link SwitchableInstance}).
 */
public final class DeadInstance implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";
    private static final int BACKLOG = 1;
    private static final int FILLER_CONNECTIONS = BACKLOG + 1;
    private static final int FILLER_CONNECT_TIMEOUT_MILLIS = 1000;

    private final ServerSocketChannel listener;
    private final List<SocketChannel> fillers = new ArrayList<>(FILLER_CONNECTIONS);
    private final InetSocketAddress address;

    /** A dead instance on an ephemeral port. */
    public DeadInstance() {
        this(0);
    }

    /**
     * A dead instance on {@code port} of 127.0.0.1 (0 = ephemeral). Binds with
     * {@code SO_REUSEADDR}, so a port whose live server has just closed can be taken over even
     * while its old connections linger in TIME_WAIT. Blocks for at most a second.
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public DeadInstance(int port) {
        try {
            listener = ServerSocketChannel.open();
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(new InetSocketAddress(LOOPBACK, port), BACKLOG);
            address = (InetSocketAddress) listener.getLocalAddress();
            for (int i = 0; i < FILLER_CONNECTIONS; i++) {
                SocketChannel filler = SocketChannel.open();
                fillers.add(filler);
                try {
                    // Blocking connect with a timeout via the socket adaptor; loopback completes
                    // in well under a millisecond while the queue has room.
                    filler.socket().connect(address, FILLER_CONNECT_TIMEOUT_MILLIS);
                } catch (SocketTimeoutException queueAlreadyFull) {
                    // A client that knew this port (it was live a moment ago) got into the queue
                    // first: the queue is full, which is all the fillers are for. That rare client's
                    // connect completes, so it meets a response timeout instead of a connect timeout.
                    closeQuietly(filler);
                }
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot set up a dead instance", e);
        }
    }

    /** The bound port. */
    public int port() {
        return address.getPort();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return "http://" + LOOPBACK + ":" + address.getPort();
    }

    @Override
    public void close() {
        for (SocketChannel filler : fillers) {
            closeQuietly(filler);
        }
        closeQuietly(listener);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing a socket we own: nothing useful to do if the OS complains.
        }
    }
}
