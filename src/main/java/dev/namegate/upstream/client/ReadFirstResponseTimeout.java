package dev.namegate.upstream.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.ScheduledFuture;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClientRequest;

/**
 * The attempt's response timeout on the Netty client: as Reactor Netty's own (a
 * {@link ReadTimeoutHandler} from the request sent to the response's end, failing the exchange
 * with a {@link ReadTimeoutException}), with two differences.
 * <ul>
 * <li>A timeout fires only after the event loop's next pass over its sockets. A busy loop works
 *     through hundreds of connections in one pass and runs its due timers after it, so an answer
 *     that arrived meanwhile would be thrown away unread with its connection, and the attempt
 *     counted as timed out although the answer came in time.
 * <li>One handler per connection, for its life, armed by each request and disarmed by its
 *     response's last content: Reactor Netty adds a handler to the pipeline for every request and
 *     removes it after, a pipeline change twice per attempt.
 * </ul>
 * All calls on the connection's event loop.
 */
final class ReadFirstResponseTimeout extends ChannelInboundHandlerAdapter {

    /** Its name in the pipeline. */
    static final String NAME = "namegate.responseTimeout";

    private ChannelHandlerContext ctx;
    /** The next request's own timeout ({@link #expect}), taken by {@link #arm}; 0 for none. */
    private long nextTimeoutNanos;
    /** Counts arms and disarms: a timer task of an earlier request finds it changed and does nothing. */
    private int generation;
    private long timeoutNanos;
    /** Messages read so far: a timeout is carried out only if none arrived since it came due. */
    private int reads;
    /** Within a read (between a message and the read's end): not idle. */
    private boolean reading;
    private long lastReadNanos;
    private ScheduledFuture<?> timer;

    /**
     * For the request's own callback, before it is sent: the timeout {@link #arm} arms for it.
     * Set on the connection rather than carried in the exchange's context: that costs an
     * operator and a context on every attempt.
     */
    static void expect(HttpClientRequest request, Duration timeout) {
        if (request instanceof Connection connection
                && connection.channel().pipeline().get(NAME) instanceof ReadFirstResponseTimeout handler) {
            handler.nextTimeoutNanos = timeout.toNanos();
        }
    }

    /** For {@code HttpClient.doOnChannelInit}: one per connection, right after the HTTP codec. */
    static void install(Channel channel) {
        channel.pipeline().addAfter(NettyPipeline.HttpCodec, NAME, new ReadFirstResponseTimeout());
    }

    /**
     * For {@code HttpClient.doAfterRequest}: arms the connection's timeout for the timeout the
     * request expected ({@link #expect}), or {@code fallback}.
     */
    static void arm(Connection connection, Duration fallback) {
        ChannelHandler handler = connection.channel().pipeline().get(NAME);
        if (handler instanceof ReadFirstResponseTimeout timeout) {
            long nanos = timeout.nextTimeoutNanos > 0 ? timeout.nextTimeoutNanos : fallback.toNanos();
            timeout.nextTimeoutNanos = 0;
            timeout.arm(nanos);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    /** From now, a read at least every {@code nanos} until the response's last content, or the exchange fails. */
    void arm(long nanos) {
        disarm();
        timeoutNanos = nanos;
        lastReadNanos = System.nanoTime();
        schedule(nanos);
    }

    private void disarm() {
        generation++;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void schedule(long delayNanos) {
        int armedAs = generation;
        timer = ctx.executor().schedule(() -> due(armedAs), delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reads++;
        reading = true;
        if (msg instanceof LastHttpContent) {
            disarm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (reading) {
            lastReadNanos = System.nanoTime();
            reading = false;
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    /** As Netty's reader-idle task: not idle for the whole timeout yet, look again when it would be. */
    private void due(int armedAs) {
        if (armedAs != generation) {
            return;
        }
        timer = null;
        long left = reading ? timeoutNanos : timeoutNanos - (System.nanoTime() - lastReadNanos);
        if (left > 0) {
            schedule(left);
            return;
        }
        readTimedOut();
    }

    /** Netty takes due timers once per pass, after the I/O: the timeout is carried out after the next pass. */
    void readTimedOut() {
        int armedAs = generation;
        int readsWhenDue = reads;
        timer = ctx.executor().schedule(() -> timeOutUnlessRead(armedAs, readsWhenDue), 0, TimeUnit.NANOSECONDS);
    }

    private void timeOutUnlessRead(int armedAs, int readsWhenDue) {
        // a connection closed meanwhile (its exchange cancelled) has nobody left to tell
        if (armedAs != generation || !ctx.channel().isOpen()) {
            return;
        }
        timer = null;
        if (reads != readsWhenDue) {
            // an answer came in that pass: idle again from it
            schedule(timeoutNanos);
            return;
        }
        disarm();
        ctx.fireExceptionCaught(ReadTimeoutException.INSTANCE);
        ctx.close();
    }
}
