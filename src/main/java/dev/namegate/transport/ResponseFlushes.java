package dev.namegate.transport;

import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Netty's {@link FlushConsolidationHandler} at the head of each connection of the public server,
 * flushing also when no read is in progress on it. A miss's answer is written while the loop
 * reads the internal service's answer on another connection, so each answer was sent at once,
 * and each send woke a client that had gone back to sleep after the one before: with the flush
 * deferred to the end of the loop's pass, the answers of one pass leave back to back and one
 * wake-up serves several. An answer waits for the rest of that pass and the tasks queued before
 * its flush. On the internal service's connections the same would delay each attempt's request
 * by as much, and under load its answer by a pass more, into its response timeout; they flush
 * at once.
 */
public final class ResponseFlushes {

    /** The handler's name in the pipeline. */
    public static final String NAME = "namegate.responseFlushes";

    private ResponseFlushes() {
    }

    /** For {@code HttpServer.doOnChannelInit}: once per connection, first in its pipeline. */
    static void consolidate(Channel channel) {
        channel.pipeline().addFirst(NAME, new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    }
}
