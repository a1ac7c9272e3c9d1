package dev.namegate.upstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalChannel;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The response timeout a connection keeps: armed by each request and disarmed by its response's
 * last content. When it comes due it looks again one loop pass later, and then it tells the
 * pipeline only if the connection is still there to be told: an exchange cancelled in between
 * (its deadline ran out in the same pass) closes the connection at once.
 */
class ReadFirstResponseTimeoutTest {

    private DefaultEventLoopGroup loops;
    private Channel channel;
    private ReadFirstResponseTimeout timeout;
    private final List<Throwable> told = new CopyOnWriteArrayList<>();

    @BeforeEach
    void register() throws InterruptedException {
        loops = new DefaultEventLoopGroup(1);
        timeout = new ReadFirstResponseTimeout();
        channel = new LocalChannel();
        channel.pipeline().addLast(timeout, new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                told.add(cause);
            }
        });
        loops.register(channel).sync();
        onTheLoop(() -> timeout.arm(Duration.ofSeconds(10).toNanos()));
    }

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aTimeoutDueOnAnOpenConnectionIsTold() throws Exception {
        dueWhile(() -> { });

        assertThat(told).singleElement().satisfies(cause ->
                assertThat(cause.getClass().getSimpleName()).isEqualTo("ReadTimeoutException"));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aTimeoutDueOnAConnectionClosedInTheSamePassIsNotTold() throws Exception {
        dueWhile(channel::close);

        assertThat(told).isEmpty();
    }

    @Test
    void aTimeoutDueAfterAnAnswerWasReadIsNotTold() throws Exception {
        dueWhile(() -> channel.pipeline().fireChannelRead("answer"));

        assertThat(told).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void anArmedTimeoutWithoutAnAnswerFailsTheExchangeAndClosesTheConnection() throws Exception {
        onTheLoop(() -> timeout.arm(TimeUnit.MILLISECONDS.toNanos(1)));
        afterTwentyMillis();

        assertThat(told).singleElement().satisfies(cause ->
                assertThat(cause.getClass().getSimpleName()).isEqualTo("ReadTimeoutException"));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void theResponsesLastContentDisarmsIt() throws Exception {
        armedThenAnswered();
        afterTwentyMillis();

        assertThat(told).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void theNextRequestOnTheConnectionArmsItAgain() throws Exception {
        armedThenAnswered();
        afterTwentyMillis();
        onTheLoop(() -> timeout.arm(TimeUnit.MILLISECONDS.toNanos(1)));
        afterTwentyMillis();

        assertThat(told).singleElement().satisfies(cause ->
                assertThat(cause.getClass().getSimpleName()).isEqualTo("ReadTimeoutException"));
    }

    /** A request arms it with 1 ms, and its response's last content is read at once. */
    private void armedThenAnswered() throws InterruptedException {
        onTheLoop(() -> {
            timeout.arm(TimeUnit.MILLISECONDS.toNanos(1));
            channel.pipeline().fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT).fireChannelReadComplete();
        });
    }

    private void onTheLoop(Runnable task) throws InterruptedException {
        channel.eventLoop().submit(task).sync();
    }

    /** A later task on the loop: the timers due before it have run. */
    private void afterTwentyMillis() throws InterruptedException {
        channel.eventLoop().schedule(() -> { }, 20, TimeUnit.MILLISECONDS).sync();
    }

    /** The timeout comes due, and {@code meanwhile} runs on the loop before its second look. */
    private void dueWhile(Runnable meanwhile) throws Exception {
        EventLoop loop = channel.eventLoop();
        loop.submit(() -> {
            // due first, so it runs first among the timers the loop takes next
            loop.schedule(meanwhile, 0, TimeUnit.NANOSECONDS);
            timeout.readTimedOut();
        }).sync();
        // by then both have run
        afterTwentyMillis();
    }
}
