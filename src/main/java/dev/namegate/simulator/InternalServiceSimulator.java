package dev.namegate.simulator;

import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * A running simulator of the internal user service: {@code POST /{id}} answers
 * {@code {"name":"..."}} or fails the way {@link SimulatorSettings} says, on one or more live
 * instances on 127.0.0.1, plus optional dead addresses. Plain Reactor Netty, no Spring, so it
 * starts in milliseconds both inside the service's demo mode and as {@link SimulatorMain}.
 *
 * <p>Admin endpoints on every live instance (not counted as attempts):
 * {@code GET /_sim/counters} (JSON of {@link SimulatorCounters}),
 * {@code POST /_sim/counters/reset}, {@code GET /_sim/scenario} and
 * {@code PUT /_sim/scenario?scenario=flaky&fail-rate=0.3} (same names as the CLI, see
 * {@link SimulatorSettingsParser#parseRuntime}; it answers once the addresses that can be dead
 * are dead or live as asked). Send them to the first base URL: the others may go dead.
 *
 * <p>Thread-safe. The instances run on their own event loops, so a service or benchmark in
 * the same JVM does not share threads with it.
 */
public final class InternalServiceSimulator implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final LoopResources loops;
    private final List<DisposableServer> servers;
    private final List<SwitchableInstance> switchable;
    private final List<String> baseUrls;
    private final List<String> liveBaseUrls;
    private final Counters counters;
    private final SimulatorHandler handler;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InternalServiceSimulator(LoopResources loops, List<DisposableServer> servers,
            List<SwitchableInstance> switchable, Counters counters, SimulatorHandler handler) {
        this.loops = loops;
        this.servers = List.copyOf(servers);
        this.switchable = List.copyOf(switchable);
        this.counters = counters;
        this.handler = handler;
        this.liveBaseUrls = servers.stream().map(s -> "http://" + LOOPBACK + ":" + s.port()).toList();
        this.baseUrls = interleave(liveBaseUrls, switchable.stream().map(SwitchableInstance::baseUrl).toList());
    }

    /**
     * Binds the live instances and dead addresses and returns once all accept connections.
     *
     * @throws RuntimeException if a port cannot be bound; everything bound so far is released
     */
    public static InternalServiceSimulator start(SimulatorSettings settings) {
        Counters counters = new Counters();
        List<SwitchableInstance> switchable = new ArrayList<>();
        // The handler switches an immutable copy, set once the switchable addresses are bound and
        // before any live instance binds: no switch sees the list being built.
        AtomicReference<List<SwitchableInstance>> switchableBound = new AtomicReference<>(List.of());
        SimulatorHandler handler = new SimulatorHandler(settings, counters,
                dead -> switchableBound.get().forEach(instance -> instance.dead(dead)));
        LoopResources loops = LoopResources.create("namegate-sim", 1, LoopResources.DEFAULT_IO_WORKER_COUNT, true);
        SwitchableInstance.LiveBinder binder = (port, connections) -> bind(port, loops, counters, handler, connections);
        List<DisposableServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < settings.deadInstances(); i++) {
                switchable.add(new SwitchableInstance(binder, settings.badInstances()));
            }
            switchableBound.set(List.copyOf(switchable));
            for (int i = 0; i < settings.instances(); i++) {
                servers.add(bind(settings.port() == 0 ? 0 : settings.port() + i, loops, counters, handler, null));
            }
        } catch (RuntimeException e) {
            servers.forEach(s -> s.disposeNow(CLOSE_TIMEOUT));
            switchable.forEach(SwitchableInstance::close);
            disposeLoops(loops);
            throw e;
        }
        return new InternalServiceSimulator(loops, servers, switchableBound.get(), counters, handler);
    }

    /** One live instance; {@code connections} (may be null) collects its connections so they can be closed. */
    private static DisposableServer bind(int port, LoopResources loops, Counters counters, SimulatorHandler handler,
            ChannelGroup connections) {
        HttpServer server = HttpServer.create()
                .host(LOOPBACK)
                .port(port)
                .runOn(loops)
                // A switchable address binds its port again right after the other socket closed.
                .option(ChannelOption.SO_REUSEADDR, true)
                // Once per accepted TCP connection, unlike per-request callbacks.
                .doOnChannelInit((observer, channel, remote) -> counters.connections.increment())
                .handle(handler);
        return (connections == null ? server : server.channelGroup(connections)).bindNow(BIND_TIMEOUT);
    }

    /**
     * All instance URLs ({@code http://127.0.0.1:PORT}), live and those that can be dead, in a
     * fixed order with the latter spread evenly (7 live and 3 dead: L L L D L L D L L D), so a
     * client using the whole list meets the configured share of dead connects. The first is
     * always live.
     */
    public List<String> baseUrls() {
        return baseUrls;
    }

    /** The URLs of the instances that are always live, first instance first. */
    public List<String> liveBaseUrls() {
        return liveBaseUrls;
    }

    /** A snapshot of the counters shared by all instances. */
    public SimulatorCounters counters() {
        return counters.snapshot();
    }

    /** Zeroes all counters. */
    public void resetCounters() {
        counters.reset();
    }

    /** The current settings. */
    public SimulatorSettings settings() {
        return handler.settings();
    }

    /**
     * Switches the behaviour atomically; requests in flight finish with the old one and the rate
     * limit restarts with a full bucket. When {@code badInstances} changes, the addresses that can
     * be dead go dead (closing their connections) or live first. Blocking: never call it on an
     * event loop.
     *
     * @throws IllegalArgumentException if port, instances or deadInstances differ from the
     *                                  running settings (those sockets are bound at start)
     */
    public void settings(SimulatorSettings settings) {
        handler.switchTo(settings);
    }

    /**
     * Stops the simulator and waits (at most a few seconds) until its ports are free. Blocking by
     * design: callers are main threads, shutdown hooks and tests, never an event loop.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        servers.forEach(s -> s.disposeNow(CLOSE_TIMEOUT));
        switchable.forEach(SwitchableInstance::close);
        disposeLoops(loops);
    }

    private static void disposeLoops(LoopResources loops) {
        // No quiet period: the servers are already closed, and Netty's default of 2 s would make
        // every embedded start/stop (and every test) 2 s slower.
        loops.disposeLater(Duration.ZERO, CLOSE_TIMEOUT).block(CLOSE_TIMEOUT);
    }

    /**
     * Spreads {@code dead} over {@code live} like Bresenham's line: position {@code i} of
     * {@code n} is dead when {@code floor((i + 1) * d / n)} steps up.
     */
    static List<String> interleave(List<String> live, List<String> dead) {
        int n = live.size() + dead.size();
        List<String> out = new ArrayList<>(n);
        int nextLive = 0;
        int nextDead = 0;
        for (int i = 0; i < n; i++) {
            boolean isDead = (long) (i + 1) * dead.size() / n > (long) i * dead.size() / n;
            out.add(isDead ? dead.get(nextDead++) : live.get(nextLive++));
        }
        return List.copyOf(out);
    }
}
