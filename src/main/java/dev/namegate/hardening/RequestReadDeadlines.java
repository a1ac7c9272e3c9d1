package dev.namegate.hardening;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.Ticker;

/**
 * The read deadlines Reactor Netty does not give, on each connection right after the HTTP codec.
 * <ul>
 * <li>Head: the request line and headers must arrive whole within the head timeout of their first
 *     byte. Reactor Netty's idle timeout cannot do this: any byte resets it, so a head sent a byte
 *     a second would hold the connection for ever.
 * <li>Body: a body must arrive whole within the body timeout of its head, answered or not (an
 *     early 401 or 405 must not let the rest trickle in for ever). The timer is armed only when a
 *     read ends inside a body, so a request whose head and end come in one read (every GET) costs
 *     none. Reactor Netty's request timeout is not used: it keeps each finished request's state
 *     scheduled for the whole timeout, which at thousands of requests a second fills the heap.
 * <li>Idle: a connection that reads nothing for the idle timeout is closed. Its one timer, armed
 *     when the connection opens, looks at the time of the last read when it fires and is armed
 *     again for the rest, so requests cost it no timer; Reactor Netty's idle timeout removes and
 *     adds a handler and a timer on every request.
 * </ul>
 * Bytes read after a request's last content and before the next decoded head are a head; a body's
 * bytes never are, so a keep-alive connection that goes quiet after its body is left to the idle
 * timeout. One instance per connection; all calls on its event loop.
 */
final class RequestReadDeadlines extends ChannelInboundHandlerAdapter {

    /** Its name in the pipeline. */
    static final String NAME = "namegate.requestReadDeadlines";

    private final long headTimeoutNanos;
    private final long bodyTimeoutNanos;
    private final long idleTimeoutNanos;
    /** Between a decoded head and its last content. */
    private boolean inBody;
    /** This read decoded a head or a body's end: its bytes belonged to those, not to a new head. */
    private boolean boundaryInThisRead;
    private long headNanos;
    private long lastReadNanos;
    private ScheduledFuture<?> timer;
    private ScheduledFuture<?> idleTimer;
    /** The clock of the loop's timers, which tests can move. */
    private Ticker ticker = Ticker.systemTicker();

    RequestReadDeadlines(long headTimeoutNanos, long bodyTimeoutNanos, long idleTimeoutNanos) {
        this.headTimeoutNanos = headTimeoutNanos;
        this.bodyTimeoutNanos = bodyTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.executor() instanceof AbstractScheduledEventExecutor loop) {
            ticker = loop.ticker();
        }
        if (ctx.channel().isActive()) {
            watchIdle(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        watchIdle(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            inBody = true;
            boundaryInThisRead = true;
            headNanos = ticker.nanoTime();
            disarm();
        }
        if (msg instanceof LastHttpContent) { // also a FullHttpRequest: head and body at once
            inBody = false;
            boundaryInThisRead = true;
            disarm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // the codec passes this on after every read from the socket, whether or not it decoded anything
        lastReadNanos = ticker.nanoTime();
        if (timer == null) {
            if (inBody) {
                arm(ctx, headNanos + bodyTimeoutNanos - lastReadNanos);
            } else if (!boundaryInThisRead) {
                arm(ctx, headTimeoutNanos);
            }
        }
        boundaryInThisRead = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        stopWatchingIdle();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
        stopWatchingIdle();
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> {
            timer = null;
            ctx.close();
        }, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void watchIdle(ChannelHandlerContext ctx) {
        if (idleTimer == null) {
            lastReadNanos = ticker.nanoTime();
            watchIdle(ctx, idleTimeoutNanos);
        }
    }

    private void watchIdle(ChannelHandlerContext ctx, long delayNanos) {
        idleTimer = ctx.executor().schedule(() -> {
            long quiet = ticker.nanoTime() - lastReadNanos;
            if (timer == null && quiet >= idleTimeoutNanos) {
                idleTimer = null;
                ctx.close();
            } else {
                // a head or body on its deadline, or a read since: the whole timeout again, or its rest
                watchIdle(ctx, timer != null ? idleTimeoutNanos : idleTimeoutNanos - quiet);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void stopWatchingIdle() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
