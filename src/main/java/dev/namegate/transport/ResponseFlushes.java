package dev.namegate.transport;

import java.util.function.BooleanSupplier;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Netty's {@link FlushConsolidationHandler} at the head of each connection of the public server,
 * for the flushes made outside a read of that connection. A miss's answer is written while the
 * loop reads the internal service's answer on another connection, so each answer was sent at
 * once, and each send woke a client that had gone back to sleep after the one before: with the
 * flush deferred to the end of the loop's pass, the answers of one pass leave back to back and
 * one wake-up serves several. An answer waits for the rest of that pass and the tasks queued
 * before its flush. On the internal service's connections the same would delay each attempt's
 * request by as much, and under load its answer by a pass more, into its response timeout; they
 * flush at once.
 *
 * <p>An answer written during a read of its own connection (a cache hit, a refusal) leaves at
 * once: held to the read's end, it was still pending when Reactor Netty read the request's last
 * content, which then turned the connection's reading on, and off again for the next request:
 * two {@code epoll_ctl} calls a request that saved no send (the connection flushed once either
 * way).
 *
 * <p>While the core is overloaded (the caller says when) every answer leaves at once: an
 * overloaded pass is long, and an answer held to its end comes later than the client can wait,
 * where a saturated closed loop's passes stay short enough that the saving pays.
 */
public final class ResponseFlushes {

    /** The handler's name in the pipeline. */
    public static final String NAME = "namegate.responseFlushes";

    private ResponseFlushes() {
    }

    /**
     * For {@code HttpServer.doOnChannelInit}: once per connection, first in its pipeline.
     *
     * @param atOnce read at each answer's flush: true sends it at once
     */
    static void consolidate(Channel channel, BooleanSupplier atOnce) {
        channel.pipeline().addFirst(NAME, new UnlessAtOnce(atOnce));
    }

    private static final class UnlessAtOnce extends FlushConsolidationHandler {
        private final BooleanSupplier atOnce;
        /** Within a read of this connection: what is flushed now was answered in it. */
        private boolean reading;

        UnlessAtOnce(BooleanSupplier atOnce) {
            super(DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
            this.atOnce = atOnce;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            reading = true;
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            reading = false;
            super.channelReadComplete(ctx);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) throws Exception {
            if (reading || atOnce.getAsBoolean()) {
                // a flush still pending from before finds nothing left to send
                ctx.flush();
            } else {
                super.flush(ctx);
            }
        }
    }
}
