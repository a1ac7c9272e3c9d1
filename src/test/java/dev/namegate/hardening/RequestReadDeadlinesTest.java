package dev.namegate.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The deadlines' timers: none but the idle watch for a request read whole at once, one for a body
 * still arriving; the idle watch closes a connection that read nothing for the idle timeout.
 */
class RequestReadDeadlinesTest {

    private static final long HEAD = TimeUnit.SECONDS.toNanos(10);
    private static final long BODY = TimeUnit.SECONDS.toNanos(20);
    private static final long IDLE = TimeUnit.SECONDS.toNanos(60);

    private final EmbeddedChannel channel = new EmbeddedChannel(new RequestReadDeadlines(HEAD, BODY, IDLE));

    /** Nanoseconds to the next scheduled task, -1 when none is scheduled. */
    private long nextTimer() {
        return channel.runScheduledPendingTasks();
    }

    private void read(Object... messages) {
        for (Object message : messages) {
            channel.pipeline().fireChannelRead(message);
        }
        channel.pipeline().fireChannelReadComplete();
    }

    @Test
    void aRequestReadWholeInOneReadLeavesNoTimerBehind() {
        for (int i = 0; i < 1_000; i++) {
            read(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/users/" + i),
                    LastHttpContent.EMPTY_LAST_CONTENT);
        }
        assertThat(nextTimer()).as("the idle watch alone").isBetween(IDLE - TimeUnit.SECONDS.toNanos(1), IDLE);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aBodyStillArrivingAfterAReadIsHeldToTheBodyTimeoutFromItsHead() {
        read(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/users/1"));
        assertThat(nextTimer()).isBetween(BODY - TimeUnit.SECONDS.toNanos(1), BODY);
        read(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {1})));
        assertThat(nextTimer()).as("more of the body does not extend it").isLessThanOrEqualTo(BODY);
        read(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(nextTimer()).as("the idle watch alone").isGreaterThan(BODY);
    }

    @Test
    void bytesOfANewHeadArmTheHeadTimeout() {
        read(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/users/1"), LastHttpContent.EMPTY_LAST_CONTENT);
        read(); // bytes of the next head, nothing decoded yet
        assertThat(nextTimer()).isBetween(HEAD - TimeUnit.SECONDS.toNanos(1), HEAD);
    }

    @Test
    void aConnectionThatReadsNothingForTheIdleTimeoutIsClosedAndNotBefore() {
        channel.freezeTime();
        read(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/users/1"), LastHttpContent.EMPTY_LAST_CONTENT);

        channel.advanceTimeBy(IDLE - 1, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(1, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void eachReadPutsTheIdleTimeoutOffAgain() {
        channel.freezeTime();
        for (int i = 0; i < 5; i++) {
            channel.advanceTimeBy(IDLE / 2, TimeUnit.NANOSECONDS);
            channel.runScheduledPendingTasks();
            read(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/users/" + i),
                    LastHttpContent.EMPTY_LAST_CONTENT);
        }
        channel.advanceTimeBy(IDLE - 1, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("idle for a nanosecond less than the timeout").isTrue();

        channel.advanceTimeBy(1, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aBodyOnItsDeadlineIsLeftToThatDeadlineNotTheIdleTimeout() {
        RequestReadDeadlines slowBodies = new RequestReadDeadlines(HEAD, IDLE * 2, IDLE);
        EmbeddedChannel uploading = new EmbeddedChannel(slowBodies);
        uploading.freezeTime();
        uploading.pipeline().fireChannelRead(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/users/1"));
        uploading.pipeline().fireChannelReadComplete();

        uploading.advanceTimeBy(IDLE + 1, TimeUnit.NANOSECONDS);
        uploading.runScheduledPendingTasks();
        assertThat(uploading.isOpen()).as("the body's deadline is later").isTrue();

        uploading.advanceTimeBy(IDLE, TimeUnit.NANOSECONDS);
        uploading.runScheduledPendingTasks();
        assertThat(uploading.isOpen()).isFalse();
    }
}
