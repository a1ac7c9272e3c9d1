package dev.namegate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.namegate.demo.DemoMode;

/** The namegate service: the public user-name API over the internal user service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class NamegateApplication {

    /** Reactor Netty's setting of how many event loops its global resources run. */
    static final String EVENT_LOOPS_PROPERTY = "reactor.netty.ioWorkerCount";
    /** Reactor Netty's setting of whether its loops use a native transport (epoll) where one loads. */
    static final String NATIVE_TRANSPORT_PROPERTY = "reactor.netty.native";

    public static void main(String[] args) {
        oneEventLoopPerProcessor();
        javaSelectorTransport();
        application().run(args);
    }

    /**
     * Reactor Netty runs at least four event loops. On fewer processors they take turns: a loop's
     * next step waits behind the others' batches, which delays every request and the overload
     * probe, and leaves the JIT a smaller share of the CPU while it warms up. So one loop per
     * processor the JVM may use (its container's limit included), unless
     * {@code -Dreactor.netty.ioWorkerCount} says otherwise. Set before any Reactor Netty class loads.
     */
    static void oneEventLoopPerProcessor() {
        if (System.getProperty(EVENT_LOOPS_PROPERTY) == null) {
            System.setProperty(EVENT_LOOPS_PROPERTY, Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
    }

    /**
     * The JDK's selector rather than Netty's epoll transport, unless
     * {@code -Dreactor.netty.native} says otherwise. Under a few hundred connections on one core,
     * epoll (with Reactor Netty reading only when asked) left some requests unread in their sockets
     * for one to several seconds: p99 over 0.8 s in 6 of 10 closed-loop steps at 256 connections,
     * against at most 121 ms in 4 of 4 with the selector, at the same CPU per request
     * (docs/benchmarks.md). Set before any Reactor Netty class loads.
     */
    static void javaSelectorTransport() {
        if (System.getProperty(NATIVE_TRANSPORT_PROPERTY) == null) {
            System.setProperty(NATIVE_TRANSPORT_PROPERTY, "false");
        }
    }

    /** The application as {@code main} runs it: demo mode first, then the required-settings check. */
    static SpringApplication application() {
        SpringApplication app = new SpringApplication(NamegateApplication.class);
        app.addListeners(new DemoMode(), new RequiredSettings());
        return app;
    }
}
