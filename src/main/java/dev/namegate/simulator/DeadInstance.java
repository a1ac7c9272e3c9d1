package dev.namegate.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * An address on 127.0.0.1 where a TCP connect never completes, like the instances of day 5 that
 * "can not even start any connections", made without root and without firewall rules.
 *
 * <p>How: a listening socket with backlog 1 that never accepts, whose accept queue this class
 * fills itself with {@value #FILLER_CONNECTIONS} connections. Linux lets {@code backlog + 1}
 * connections wait in the accept queue and then drops further SYNs silently (no RST, whatever
 * {@code tcp_abort_on_overflow}'s default of 0 is), so a client's SYN is retransmitted until its
 * connect timeout fires. Checked on this machine's kernel by {@code DeadInstanceTest}. Other
 * systems size the queue differently; there the address may accept connections that then never
 * answer, which is a read timeout instead of a connect timeout.
 */
public final class DeadInstance implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";
    private static final int BACKLOG = 1;
    private static final int FILLER_CONNECTIONS = BACKLOG + 1;
    private static final int FILLER_CONNECT_TIMEOUT_MILLIS = 1000;

    private final ServerSocketChannel listener;
    private final List<SocketChannel> fillers = new ArrayList<>(FILLER_CONNECTIONS);
    private final InetSocketAddress address;

    public DeadInstance() {
        try {
            listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress(LOOPBACK, 0), BACKLOG);
            address = (InetSocketAddress) listener.getLocalAddress();
            for (int i = 0; i < FILLER_CONNECTIONS; i++) {
                SocketChannel filler = SocketChannel.open();
                fillers.add(filler);
                // Blocking connect with a timeout via the socket adaptor; loopback completes
                // in well under a millisecond while the queue has room.
                filler.socket().connect(address, FILLER_CONNECT_TIMEOUT_MILLIS);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot set up a dead instance", e);
        }
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
