package dev.namegate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import dev.namegate.web.Arrival;

/**
 * The cap on requests in progress at the connections: two connections on one cap of one request,
 * between a real HTTP codec and a stand-in for Reactor Netty that records what reaches it.
 */
class EarlyRefusalCapTest {

    private static final long STEP = TimeUnit.MILLISECONDS.toNanos(100);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final AtomicLong cpu = new AtomicLong();
    private final OverloadProperties properties = AdmissionGateTest.properties(4);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AdmissionGate gate = new AdmissionGate(properties, new RequestsInFlight(), clock::get, () -> 0);
    private final EarlyRefusals refusals = new EarlyRefusals(gate, new OverloadDrill(properties, registry, clock::get,
            () -> 0), properties, registry, clock::get);
    private final InProgressCap cap = new InProgressCap(new InProgressCap.Settings(1, 0.9, 0.5, 2, STEP), cpu::get,
            clock::get, () -> false);
    private final InProgressCaps caps = new InProgressCaps(loop -> cap);
    private final Connection first = new Connection();
    private final Connection second = new Connection();

    /** A connection and what Reactor Netty would have been handed on it. */
    private final class Connection {
        final List<String> passedOn = new ArrayList<>();
        final EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new EarlyRefusal(refusals, caps),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        passedOn.add(msg instanceof HttpRequest request ? request.uri()
                                : msg instanceof HttpContent content ? "content " + content.content().readableBytes()
                                        : msg.toString());
                        ReferenceCountUtil.release(msg);
                    }
                });

        void send(String request) {
            channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        }

        void answer() {
            DefaultFullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            ok.headers().set("content-length", 0);
            channel.writeOutbound(ok);
            for (Object out; (out = channel.readOutbound()) != null;) {
                ((ByteBuf) out).release();
            }
        }
    }

    @AfterEach
    void close() {
        first.channel.finishAndReleaseAll();
        second.channel.finishAndReleaseAll();
    }

    /** The first connection's second request (a closed loop's) in progress, the loop busy: the cap is one. */
    private void capOfOneReached() {
        cap.step();
        first.send("GET /users/0 HTTP/1.1\r\nHost: x\r\n\r\n");
        first.answer();
        first.send("GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n");
        clock.addAndGet(STEP);
        cpu.addAndGet(STEP);
        cap.step();
        assertThat(cap.limit()).isEqualTo(1);
        assertThat(cap.inProgress()).isEqualTo(1);
    }

    @Test
    void aClosedLoopsRequestPastTheCapWaitsReadAndGoesOnWhenAnAnswerLeavesItsWaitCountedInItsArrival() {
        capOfOneReached();
        second.send("GET /users/2 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(second.passedOn).as("a connection's first request is nobody's closed loop: it goes on")
                .containsExactly("/users/2", "content 0");
        assertThat(cap.inProgress()).as("uncounted, so a flood of newcomers cannot starve the closed loops' line")
                .isEqualTo(1);
        second.answer();
        long read = clock.addAndGet(1_000_000);
        second.send("GET /users/3 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(second.passedOn).as("asked again at once, past the cap: it waits").hasSize(2);
        assertThat(cap.waiting()).isEqualTo(1);

        clock.addAndGet(5_000_000);
        first.answer(); // the embedded loop runs the cap's task as the write ends

        assertThat(second.passedOn).containsExactly("/users/2", "content 0", "/users/3", "content 0");
        assertThat(second.channel.attr(Arrival.WAITED_SINCE).get()).isEqualTo(read);
        assertThat(cap.inProgress()).isEqualTo(1);
        assertThat(cap.waiting()).isZero();
    }

    @Test
    void aWaitingRequestWhoseConnectionClosesIsDroppedAndCountsNothing() {
        capOfOneReached();
        second.send("GET /users/2 HTTP/1.1\r\nHost: x\r\n\r\n");
        second.answer();
        second.send("GET /users/3 HTTP/1.1\r\nHost: x\r\n\r\n");
        second.channel.close();

        first.answer();
        first.channel.runPendingTasks();

        assertThat(second.passedOn).containsExactly("/users/2", "content 0");
        assertThat(cap.inProgress()).isZero();
        assertThat(cap.waiting()).isZero();
    }

    @Test
    void aConnectionClosedWithItsRequestInProgressLeavesRoom() {
        capOfOneReached();
        second.send("GET /users/2 HTTP/1.1\r\nHost: x\r\n\r\n");
        second.answer();
        second.send("GET /users/3 HTTP/1.1\r\nHost: x\r\n\r\n");

        first.channel.close();
        first.channel.runPendingTasks();

        assertThat(second.passedOn).containsExactly("/users/2", "content 0", "/users/3", "content 0");
        assertThat(cap.inProgress()).isEqualTo(1);
    }

    @Test
    void aPipelinedRequestBehindAWaitingOneTakesItsOwnTurn() {
        capOfOneReached();
        second.send("GET /users/2 HTTP/1.1\r\nHost: x\r\n\r\n");
        second.answer();
        second.send("GET /users/3 HTTP/1.1\r\nHost: x\r\n\r\nGET /users/4 HTTP/1.1\r\nHost: x\r\n\r\n");

        first.answer();
        first.channel.runPendingTasks();

        assertThat(second.passedOn).as("the one behind waits: the cap is reached again")
                .containsExactly("/users/2", "content 0", "/users/3", "content 0");
        second.answer();
        second.channel.runPendingTasks();
        assertThat(second.passedOn).endsWith("/users/4", "content 0");
        assertThat(cap.inProgress()).isEqualTo(1);
    }
}
