package dev.namegate.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * An answer written outside a read of its own connection (a miss's, written as the internal
 * service's answer is read on another) leaves when the loop runs its tasks after the pass, not at
 * once; one written during a read of its connection (a hit's) leaves at once.
 */
class ResponseFlushesTest {

    private static ByteBuf answer() {
        return Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\n", StandardCharsets.US_ASCII);
    }

    @Test
    void theHandlerIsFirstOnTheConnection() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ResponseFlushes.consolidate(channel, () -> false);
        assertThat(channel.pipeline().first()).isInstanceOf(FlushConsolidationHandler.class);
        assertThat(channel.pipeline().names().get(0)).isEqualTo(ResponseFlushes.NAME);
        channel.finishAndReleaseAll();
    }

    @Test
    void anAnswerWrittenOutsideAReadLeavesAfterThePassNotAtOnce() {
        EmbeddedChannel channel = new EmbeddedChannel();
        ResponseFlushes.consolidate(channel, () -> false);
        // through the pipeline: the channel's own write runs the pending tasks, as no event loop would
        channel.pipeline().writeAndFlush(answer());
        assertThat(channel.outboundMessages()).as("not sent while the pass goes on").isEmpty();
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).as("sent with the loop's tasks").hasSize(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void whileTheCallerSaysAtOnceAnAnswerWrittenOutsideAReadLeavesAtOnce() {
        EmbeddedChannel channel = new EmbeddedChannel();
        boolean[] atOnce = {true};
        ResponseFlushes.consolidate(channel, () -> atOnce[0]);
        channel.pipeline().writeAndFlush(answer());
        assertThat(channel.outboundMessages()).as("sent at once").hasSize(1);
        atOnce[0] = false;
        channel.pipeline().writeAndFlush(answer());
        assertThat(channel.outboundMessages()).as("the next, once no longer at once, waits for the pass").hasSize(1);
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).hasSize(2);
        channel.finishAndReleaseAll();
    }

    /** A connection with the handler, answering each request within its read; the list gets what was sent by then. */
    private static EmbeddedChannel answeringInTheRead(List<Integer> sentByTheAnswer) {
        EmbeddedChannel channel = new EmbeddedChannel();
        ResponseFlushes.consolidate(channel, () -> false);
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object request) {
                ReferenceCountUtil.release(request);
                ctx.writeAndFlush(answer());
                sentByTheAnswer.add(channel.outboundMessages().size());
            }
        });
        return channel;
    }

    private static void request(EmbeddedChannel channel) {
        channel.writeOneInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII));
    }

    @Test
    void anAnswerWrittenDuringAReadOfItsConnectionLeavesAtOnceAndOneAfterTheReadWaitsForThePass() {
        List<Integer> sentByTheAnswer = new ArrayList<>();
        EmbeddedChannel channel = answeringInTheRead(sentByTheAnswer);
        request(channel);
        assertThat(sentByTheAnswer).as("sent within the read").containsExactly(1);
        channel.pipeline().fireChannelReadComplete();
        assertThat(channel.outboundMessages()).hasSize(1);

        channel.pipeline().writeAndFlush(answer());
        assertThat(channel.outboundMessages()).as("after the read, consolidated again").hasSize(1);
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).hasSize(2);
        channel.finishAndReleaseAll();
    }

    @Test
    void anAnswerHeldFromBeforeAReadLeavesWithTheOneAnsweredInItAndOnlyOnce() {
        List<Integer> sentByTheAnswer = new ArrayList<>();
        EmbeddedChannel channel = answeringInTheRead(sentByTheAnswer);
        channel.pipeline().writeAndFlush(answer());
        assertThat(channel.outboundMessages()).as("held for the pass").isEmpty();

        request(channel);
        assertThat(sentByTheAnswer).as("both sent by the flush within the read").containsExactly(2);
        channel.pipeline().fireChannelReadComplete();
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).hasSize(2);
        channel.finishAndReleaseAll();
    }
}
