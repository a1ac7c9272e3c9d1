package dev.namegate.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import org.HdrHistogram.Histogram;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;

/**
 * An open-loop load generator: request i is sent at t0 + i/rate whatever the previous answers
 * did, and its latency is measured from that intended time. A closed loop (send, wait, send)
 * would slow down exactly when the server does and hide the stall ("coordinated omission").
 *
 * <p>Everything runs on one Netty event loop: the schedule is a task that sends what is due and
 * arms itself for the next send, each pooled HTTP/1.1 keep-alive connection carries one request
 * at a time, and a request that finds no free connection waits in line for one (opening another
 * while fewer than {@code maxConnections} are open); its wait counts in its latency. Requests
 * are written as prepared bytes and answers read by Netty's HTTP decoder. On bare Netty because
 * wrk2, made for this, is not packaged here, and Reactor Netty's client costs several times the
 * CPU a request: too much to offer twice a whole core's rate from the other core.
 *
 * <p>Answers are judged by a {@link ResponseCheck} and recorded into an HdrHistogram; the
 * service's {@code Cache-Status} header is counted ({@link CacheStatus}). Nothing is logged per
 * request. One instance may run several phases in turn (warm-up, then measured) and must be closed.
 */
public final class OpenLoopLoad implements AutoCloseable {

    /** Latencies above this are clamped, so one absurd outlier cannot break the histogram. */
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);
    /** Scheduling starts a little in the future so that t0 is not already late. */
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Extra time, beyond the last send plus the timeout, before unfinished requests are abandoned. */
    private static final long DRAIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * The schedule wakes at most this often and sends what has come due since: each wake-up is a
     * sleep and a wake of the loop, which at high rates costs more than the requests it sends. A
     * request sent late by this has it in its latency.
     */
    private static final long PACE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** How often waiting and unanswered requests are checked against the timeout. */
    private static final long TIMEOUT_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The timeline's slice: short enough to show an overload's onset, long enough to hold a few hundred requests. */
    static final Duration TIMELINE_SLICE = Duration.ofMillis(500);
    private static final int MAX_BODY_BYTES = 1 << 20;
    /**
     * Connections open at most unless told otherwise: enough for twice a whole core's rate with
     * answers up to 0.4 s. A pool smaller than rate × latency turns an overload into a closed loop
     * of that many connections, with the line in the generator. Opened only as needed.
     */
    public static final int DEFAULT_CONNECTIONS = 4096;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final int maxConnections;
    private final long timeoutNanos;
    private final Duration timeout;
    /** The request line up to the id, and everything after it: a request is these around the id's digits. */
    private final byte[] head;
    private final byte[] tail;

    // Touched on the event loop only.
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final Set<Connection> busy = new HashSet<>();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private int open;
    private int connecting;

    /**
     * @param target         where requests go
     * @param maxConnections connections open at most; at least rate × expected latency
     * @param timeout        client-side limit on a request from its intended send time (waiting for
     *                       a connection, connecting and the answer together): a request that
     *                       reaches it fails with its latency still counted, and its connection is
     *                       closed. Checked every 10 ms.
     */
    public OpenLoopLoad(Target target, int maxConnections, Duration timeout) {
        Objects.requireNonNull(target, "target");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1, was " + maxConnections);
        }
        this.maxConnections = maxConnections;
        this.timeoutNanos = timeout.toNanos();
        URI base = URI.create(target.baseUrl());
        int port = base.getPort() > 0 ? base.getPort() : 80;
        this.head = ((target.post() ? "POST " : "GET ") + target.pathPrefix()).getBytes(StandardCharsets.US_ASCII);
        this.tail = (" HTTP/1.1\r\nHost: " + base.getHost() + ":" + port + "\r\n"
                + (target.authorization() == null ? "" : "Authorization: " + target.authorization() + "\r\n")
                + (target.post() ? "Content-Length: 0\r\n" : "")
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, io);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .remoteAddress(base.getHost(), port)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(1000, timeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpResponseDecoder(), new HttpObjectAggregator(MAX_BODY_BYTES),
                                new Connection());
                    }
                });
    }

    /** {@link #DEFAULT_CONNECTIONS}, 2 s timeout. */
    public OpenLoopLoad(Target target) {
        this(target, DEFAULT_CONNECTIONS, LoadPlan.DEFAULT_TIMEOUT);
    }

    /**
     * Runs one phase to its end: sends {@link LoadPlan#count()} requests on schedule, then waits
     * for every answer (each is bounded by the timeout). Stops by itself: if the schedule falls
     * more than the plan's duration behind, unsent requests count as failed; if requests are still
     * unfinished well after their timeout, they count as failed too.
     */
    public LoadResult run(LoadPlan plan, IdMix ids, ResponseCheck check) throws InterruptedException {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(check, "check");
        Phase phase = new Phase(plan, ids.generator(plan.seed()), check);
        group.execute(phase::start);
        phase.finished.await();
        long drainNanos = timeoutNanos + TIMEOUT_SWEEP_NANOS + DRAIN_GRACE_NANOS;
        boolean answered = phase.answered.await(drainNanos, TimeUnit.NANOSECONDS);
        try {
            return group.submit(() -> phase.result(!answered)).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the generator's event loop did not report", e);
        }
    }

    /**
     * Opens connections until {@code count} are open, at most the pool's size, and waits up to
     * {@code within} for them: a pool already open does not grow in a measured phase, where each
     * connect costs the load's core while it should be sending. Returns how many are open.
     */
    public int openConnections(int count, Duration within) throws InterruptedException {
        int wanted = Math.min(count, maxConnections);
        long deadline = System.nanoTime() + within.toNanos();
        try {
            group.submit(() -> {
                while (open + connecting < wanted) {
                    connect();
                }
            }).get(10, TimeUnit.SECONDS);
            int opened = 0;
            while ((opened = group.submit(() -> open).get(10, TimeUnit.SECONDS)) < wanted
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return opened;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the generator's event loop did not answer", e);
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Gives waiting requests connections: free ones first, then new ones while the pool has room. */
    private void dispatch() {
        while (!waiting.isEmpty()) {
            Connection free = idle.pollFirst();
            if (free != null) {
                // one closed while idle is dropped here, not searched for when it closes
                if (free.channel.isActive()) {
                    free.send(waiting.pollFirst());
                }
            } else if (open + connecting < maxConnections && connecting < waiting.size()) {
                connect();
            } else {
                return;
            }
        }
    }

    private void connect() {
        connecting++;
        bootstrap.connect().addListener((ChannelFuture connected) -> {
            if (!connected.isSuccess()) {
                connecting--;
                // the oldest waiting request takes the failure, so a refused port cannot loop
                Request first = waiting.pollFirst();
                if (first != null) {
                    first.phase.failed(first, connected.cause().getClass().getSimpleName());
                }
                dispatch();
            }
        });
    }

    /** Fails waiting requests and unanswered ones whose time is up, and closes the latter's connections. */
    private void expire(long now) {
        while (!waiting.isEmpty() && now - waiting.peekFirst().intendedNanos > timeoutNanos) {
            Request late = waiting.pollFirst();
            late.phase.failed(late, "NoConnectionInTime");
        }
        for (Connection connection : busy.toArray(Connection[]::new)) {
            Request request = connection.inFlight;
            if (request != null && now - request.intendedNanos > timeoutNanos) {
                connection.inFlight = null;
                request.phase.failed(request, "ResponseTimeout");
                connection.close();
            }
        }
    }

    /** Microseconds from {@code nanos} ({@link System#nanoTime()}) to now, within the histograms' range. */
    private static long microsSince(long nanos) {
        return Math.min(HIGHEST_MICROS, Math.max(0, (System.nanoTime() - nanos) / 1000));
    }

    /** One request of a phase: its id and the time it was meant to be sent. */
    private record Request(Phase phase, long id, long intendedNanos) {
    }

    /** One keep-alive connection; one request at a time. */
    private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private Channel channel;
        private Request inFlight;
        private long sentNanos;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            connecting--;
            open++;
            idle.addLast(this);
            dispatch();
        }

        void send(Request request) {
            inFlight = request;
            sentNanos = System.nanoTime();
            busy.add(this);
            String digits = Long.toString(request.id);
            ByteBuf bytes = channel.alloc().ioBuffer(head.length + digits.length() + tail.length);
            bytes.writeBytes(head);
            ByteBufUtil.writeAscii(bytes, digits);
            bytes.writeBytes(tail);
            channel.writeAndFlush(bytes, channel.voidPromise());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Request request = inFlight;
            if (request == null) {
                return; // an answer to a request already given up
            }
            inFlight = null;
            busy.remove(this);
            String cacheStatus = response.headers().get(CacheStatus.HEADER);
            request.phase.answered(request, sentNanos, response.status().code(),
                    response.headers().get(HttpHeaderNames.CONTENT_TYPE), ByteBufUtil.getBytes(response.content()),
                    cacheStatus);
            if (HttpUtil.isKeepAlive(response)) {
                idle.addLast(this);
                dispatch();
            } else {
                close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause.getClass().getSimpleName());
            close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail("ClosedBeforeAnswer");
            busy.remove(this);
            open--;
            dispatch();
        }

        private void fail(String cause) {
            Request request = inFlight;
            if (request != null) {
                inFlight = null;
                request.phase.failed(request, cause);
            }
        }

        void close() {
            busy.remove(this);
            channel.close();
        }
    }

    /** The state of one run; touched on the event loop only, but for the latches. */
    private final class Phase {
        private final LoadPlan plan;
        private final LongSupplier ids;
        private final ResponseCheck check;
        private final long count;
        private final long sloMicros;
        private final Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
        private final Histogram answeredHistogram = new Histogram(HIGHEST_MICROS, 3);
        private final LateTimeline.Recorder timeline;
        /** Counted down once every request has been sent or given up. */
        private final CountDownLatch finished = new CountDownLatch(1);
        /** Counted down once every request has an outcome. */
        private final CountDownLatch answered = new CountDownLatch(1);
        /** Wrong answers by HTTP status: tells a 504 storm from a wrong name at a glance. */
        private final Map<Integer, Long> wrongByStatus = new TreeMap<>();
        private final Map<String, Long> failureCauses = new TreeMap<>();
        private long correct;
        private long correctWithinSlo;
        private long wrong;
        private long failed;
        private long cacheMarked;
        private long cacheHits;
        private long cacheStale;
        private long outcomes;
        private long t0;
        private long giveUpNanos;
        private long next;
        private long maxLagNanos;

        Phase(LoadPlan plan, LongSupplier ids, ResponseCheck check) {
            this.plan = plan;
            this.ids = ids;
            this.check = check;
            this.count = plan.count();
            this.sloMicros = plan.slo().toNanos() / 1000;
            this.timeline = new LateTimeline.Recorder(plan.duration(), TIMELINE_SLICE);
        }

        void start() {
            t0 = System.nanoTime() + START_DELAY_NANOS;
            giveUpNanos = t0 + 2 * plan.duration().toNanos();
            group.schedule(this::pace, START_DELAY_NANOS, TimeUnit.NANOSECONDS);
            group.schedule(this::sweep, TIMEOUT_SWEEP_NANOS, TimeUnit.NANOSECONDS);
        }

        /** Sends every request that is due (a late wake-up sends the whole batch: the schedule sets the rate), then waits for the next. */
        private void pace() {
            long now = System.nanoTime();
            if (now > giveUpNanos) {
                notSent();
                return;
            }
            long intended = t0 + plan.intendedOffsetNanos(next);
            if (intended <= now) {
                maxLagNanos = Math.max(maxLagNanos, now - intended);
            }
            while (next < count && intended <= now) {
                waiting.addLast(new Request(this, ids.getAsLong(), intended));
                next++;
                intended = t0 + plan.intendedOffsetNanos(next);
            }
            dispatch();
            if (next < count) {
                group.schedule(this::pace, Math.max(intended - now, PACE_NANOS), TimeUnit.NANOSECONDS);
            } else {
                finished.countDown();
            }
        }

        private void notSent() {
            long unsent = count - next;
            failureCauses.merge("NotSent", unsent, Long::sum);
            failed += unsent;
            outcomes += unsent;
            next = count;
            finished.countDown();
            if (outcomes == count) {
                answered.countDown();
            }
        }

        private void sweep() {
            expire(System.nanoTime());
            if (outcomes < count) {
                group.schedule(this::sweep, TIMEOUT_SWEEP_NANOS, TimeUnit.NANOSECONDS);
            }
        }

        void answered(Request request, long sentNanos, int status, String contentType, byte[] body, String cacheStatus) {
            answeredHistogram.recordValue(microsSince(sentNanos));
            countCache(CacheStatus.of(cacheStatus));
            Outcome outcome = check.check(request.id, status, contentType, body);
            if (outcome == Outcome.WRONG) {
                wrongByStatus.merge(status, 1L, Long::sum);
            }
            record(request, outcome);
        }

        void failed(Request request, String cause) {
            failureCauses.merge(cause, 1L, Long::sum);
            record(request, Outcome.FAILED);
        }

        private void countCache(CacheStatus status) {
            switch (status) {
                case ABSENT -> {
                    return;
                }
                case HIT -> cacheHits++;
                case STALE -> cacheStale++;
                case FORWARDED -> {
                }
            }
            cacheMarked++;
        }

        private void record(Request request, Outcome outcome) {
            long micros = microsSince(request.intendedNanos);
            histogram.recordValue(micros);
            long offset = request.intendedNanos - t0;
            timeline.scheduled(offset);
            if (micros > sloMicros) {
                timeline.late(offset, outcome == Outcome.CORRECT);
            }
            switch (outcome) {
                case CORRECT -> {
                    correct++;
                    if (micros <= sloMicros) {
                        correctWithinSlo++;
                    }
                }
                case WRONG -> wrong++;
                case FAILED -> failed++;
            }
            if (++outcomes == count) {
                answered.countDown();
            }
        }

        /** On the event loop, after the run; {@code abandon} counts what never got an outcome as failed. */
        LoadResult result(boolean abandon) {
            long abandoned = abandon ? count - outcomes : 0;
            if (abandoned > 0) {
                failureCauses.merge("Abandoned", abandoned, Long::sum);
            }
            return new LoadResult(count, correct, correctWithinSlo, wrong, failed + abandoned, histogram.copy(),
                    answeredHistogram.copy(),
                    maxLagNanos / 1000, new TreeMap<>(failureCauses), new TreeMap<>(wrongByStatus),
                    new CacheCounts(cacheMarked, cacheHits, cacheStale), timeline.snapshot());
        }
    }
}
