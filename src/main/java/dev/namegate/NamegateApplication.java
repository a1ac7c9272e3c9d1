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

    public static void main(String[] args) {
        oneEventLoopPerProcessor();
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

    /** The application as {@code main} runs it: demo mode first, then the required-settings check. */
    static SpringApplication application() {
        SpringApplication app = new SpringApplication(NamegateApplication.class);
        app.addListeners(new DemoMode(), new RequiredSettings());
        return app;
    }
}
