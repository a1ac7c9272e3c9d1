package dev.namegate.hardening;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Closes a connection whose request head does not arrive whole within the timeout of its first
 * byte. Sits right after the HTTP codec: bytes read without a decoded request are part of a head
 * (after a response, or at the start), so the first such read arms the timer and the decoded
 * request disarms it. Reactor Netty's idle timeout cannot do this: any byte resets it, so a head
 * sent a byte a second would hold the connection for ever. (A slow body is Reactor Netty's own
 * request timeout's.) One instance per connection; all calls on its event loop.
 */
final class RequestHeadTimeout extends ChannelDuplexHandler {

    /** Its name in the pipeline. */
    static final String NAME = "namegate.requestHeadTimeout";

    private final long timeoutNanos;
    private boolean inRequest;
    private boolean requestInThisRead;
    private ScheduledFuture<?> timer;

    RequestHeadTimeout(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            inRequest = true;
            requestInThisRead = true;
            disarm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // the codec passes this on after every read from the socket, whether or not it decoded anything
        if (!inRequest && !requestInThisRead && timer == null) {
            timer = ctx.executor().schedule(() -> {
                timer = null;
                ctx.close();
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        requestInThisRead = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            inRequest = false; // the answer is out: what comes next starts a head
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
