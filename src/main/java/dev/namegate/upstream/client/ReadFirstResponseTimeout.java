package dev.namegate.upstream.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClientRequest;
import reactor.util.context.Context;

/**
 * The attempt's response timeout on the Netty client: Reactor Netty's own (a
 * {@link ReadTimeoutHandler} from the request sent, under its name), except that a timeout fires
 * only after the event loop's next pass over its sockets. A busy loop works through hundreds of
 * connections in one pass and runs its due timers after it, so an answer that arrived meanwhile
 * would be thrown away unread with its connection, and the attempt counted as timed out although
 * the answer came in time.
 */
final class ReadFirstResponseTimeout extends ReadTimeoutHandler {

    private static final Class<ReadFirstResponseTimeout> KEY = ReadFirstResponseTimeout.class;

    /** Messages read so far: a timeout is carried out only if none arrived since it came due. */
    private int reads;

    ReadFirstResponseTimeout(Duration timeout) {
        super(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The request's response timeout, for the subscriber context of its exchange. */
    static Context of(Duration timeout) {
        return Context.of(KEY, timeout);
    }

    /**
     * For {@code HttpClient.doAfterRequest}: arms the timeout the request's context carries
     * ({@link #of(Duration)}), or {@code fallback}. Added as Reactor Netty adds its own, so it is
     * removed when the connection goes back to the pool.
     */
    static void install(HttpClientRequest request, Connection connection, Duration fallback) {
        Duration timeout = request.currentContextView().getOrDefault(KEY, fallback);
        connection.addHandlerFirst(NettyPipeline.ResponseTimeoutHandler, new ReadFirstResponseTimeout(timeout));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reads++;
        super.channelRead(ctx, msg);
    }

    @Override
    protected void readTimedOut(ChannelHandlerContext ctx) {
        int readsWhenDue = reads;
        // Netty takes due timers once per pass, after the I/O: this runs after the next pass
        ctx.executor().schedule(() -> timeOutUnlessRead(ctx, readsWhenDue), 0, TimeUnit.NANOSECONDS);
    }

    private void timeOutUnlessRead(ChannelHandlerContext ctx, int readsWhenDue) {
        // as Netty's own timer task: a connection closed meanwhile (its exchange cancelled) has
        // nobody left to tell, and its handlers go only on a later task
        if (reads != readsWhenDue || ctx.isRemoved() || !ctx.channel().isOpen()) {
            return;
        }
        try {
            super.readTimedOut(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }
}
