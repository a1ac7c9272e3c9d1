package dev.namegate.overload;

import java.util.ArrayList;
import java.util.List;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import dev.namegate.web.Arrival;

/**
 * {@link EarlyRefusals} on one connection, between the HTTP codec and Reactor Netty: a refused
 * request, and the rest of its body, go no further. A request is refused here only while none
 * before it on the connection awaits its answer, so answers keep the order of pipelined
 * requests, and not within {@code refuseAgainAfter} of the connection's last refusal here: a
 * client that sends again at once (a closed loop) would otherwise spin on refusals that cost the
 * core more than its waiting turn in the gate, which still refuses it after the shed queue time.
 * A connection whose next request comes later (a pooled client of an open loop) is a newcomer
 * again. Nor is a request refused here within {@code closedLoopWithin} of the answer before it on
 * the connection: it comes from a client that waits for each answer before it asks again (a
 * closed loop), which adds no excess of its own, and which a refusal would only send straight
 * back. Such a closed loop's request waits here, decoded, while its loop's {@link InProgressCap}
 * is reached, and goes on in turn, its wait counted in its deadline ({@link Arrival}). One
 * instance per connection; all calls on its event loop.
 */
final class EarlyRefusal extends ChannelDuplexHandler implements InProgressCap.Waiter {

    /** Its name in the pipeline. */
    static final String NAME = "namegate.earlyRefusal";

    private final EarlyRefusals refusals;
    private final InProgressCaps caps;
    /** This connection's loop's cap; {@code null} before the connection is added, or with no cap. */
    private InProgressCap cap;
    private ChannelHandlerContext ctx;
    /** The request waiting for its turn in the cap's line, with what followed it; {@code null} when none waits. */
    private ArrayList<Object> waiting;
    /** When the waiting request was read. */
    private long waitingSince;
    /** Requests counted in progress by the cap whose answers have not been written whole. */
    private int countedInProgress;
    /** Requests passed on whose answers have not been written whole. */
    private int awaitingAnswer;
    /** The body of a refused request is still arriving. */
    private boolean discarding;
    /** When a request on this connection was last refused here (long enough ago before the first). */
    private long refusedAt;
    /** When the last answer on this connection was written, other than a refusal here (as long ago before the first). */
    private long answeredAt;

    EarlyRefusal(EarlyRefusals refusals, InProgressCaps caps) {
        this.refusals = refusals;
        this.caps = caps;
        long now = refusals.now();
        this.refusedAt = now - refusals.refuseAgainAfterNanos();
        this.answeredAt = now - refusals.closedLoopWithinNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.cap = caps.on(ctx.channel().eventLoop());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (waiting != null) {
            waiting.add(msg); // the rest of the waiting request, or a pipelined one after it
            return;
        }
        if (msg instanceof HttpRequest request) {
            EarlyRefusals.Door refusal = awaitingAnswer == 0 ? refusals.refusal(request) : null;
            if (refusal != null && newcomer(refusal)) {
                refusals.refuse(ctx, request, refusal);
                discarding = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                readOn(ctx);
                return;
            }
            awaitingAnswer++;
            if (cap != null && !enteredCap()) {
                waiting = new ArrayList<>(2);
                waiting.add(msg);
                waitingSince = refusals.now();
                cap.await(this);
                return;
            }
        } else if (discarding && msg instanceof HttpContent content) {
            discarding = !(content instanceof LastHttpContent);
            content.release();
            readOn(ctx);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Whether this request goes on now: a closed loop's is counted by the cap, or waits while the
     * cap is full; any other goes on uncounted (the gate sees its excess).
     */
    private boolean enteredCap() {
        if (!closedLoop()) {
            return true;
        }
        if (cap.full()) {
            return false;
        }
        cap.enter();
        countedInProgress++;
        return true;
    }

    /** The waiting request goes on; not once the connection has closed. */
    @Override
    public boolean letIn() {
        List<Object> request = waiting;
        waiting = null;
        if (request.isEmpty() || !ctx.channel().isActive()) { // empty: the handler was removed
            request.forEach(ReferenceCountUtil::release);
            return false;
        }
        countedInProgress++;
        ctx.channel().attr(Arrival.WAITED_SINCE).set(waitingSince);
        ctx.fireChannelRead(request.get(0));
        int next = 1;
        for (; next < request.size() && !(request.get(next) instanceof HttpRequest); next++) {
            ctx.fireChannelRead(request.get(next));
        }
        for (; next < request.size(); next++) {
            channelRead(ctx, request.get(next)); // a pipelined request after it takes its own turn
        }
        ctx.fireChannelReadComplete();
        return true;
    }

    /**
     * True unless this connection had a refusal here within {@code refuseAgainAfter}, or an answer
     * within the door's closed-loop time; records the refusal it allows. One comparison of both
     * differences' signs: at the drill's door, which has no closed-loop time, only the first can
     * say no, and a branch of the second's own, never taken before an overload, would be a trap
     * that recompiles the connections' read path (docs/benchmarks.md).
     */
    private boolean newcomer(EarlyRefusals.Door door) {
        long now = refusals.now();
        if (((now - refusedAt - refusals.refuseAgainAfterNanos()) | (now - answeredAt - door.closedLoopWithinNanos())) < 0) {
            return false;
        }
        refusedAt = now;
        return true;
    }

    /** Whether this connection had an answer, other than a refusal here, within {@code closedLoopWithin}: a closed loop. */
    boolean closedLoop() {
        return refusals.now() - answeredAt < refusals.closedLoopWithinNanos();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && !informational(msg) && awaitingAnswer > 0) {
            awaitingAnswer--;
            answeredAt = refusals.now();
            if (countedInProgress > 0) {
                countedInProgress--;
                cap.left(ctx.channel().eventLoop());
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (; countedInProgress > 0; countedInProgress--) {
            cap.left(ctx.channel().eventLoop());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (waiting != null) {
            // still in the cap's line, which drops it when its turn comes
            waiting.forEach(ReferenceCountUtil::release);
            waiting.clear();
        }
    }

    /**
     * Reactor Netty reads a connection only when asked (no auto-read), and asks once an answer is
     * written; for what it never saw, this handler asks instead, or the connection would stall.
     */
    private static void readOn(ChannelHandlerContext ctx) {
        if (!ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }

    /** A {@code 100 Continue} ends no exchange. */
    private static boolean informational(Object msg) {
        return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
}
