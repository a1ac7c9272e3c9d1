package dev.namegate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

import dev.namegate.demo.DemoMode;

/**
 * The namegate service: the public user-name API over the internal user service. Spring Boot's
 * Logback metrics are replaced by {@code logging.LogEventMetrics}: the same series, without a
 * turbo filter consulted on every {@code isDebugEnabled()}. {@code @SpringBootApplication} spelled
 * out, so that the scan leaves out the management server's configuration: only that server's child
 * context may load it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = NamegateApplication.LOGBACK_METRICS)
@ComponentScan(excludeFilters = {
        @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
        @ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
        @ComponentScan.Filter(type = FilterType.ANNOTATION, classes = ManagementContextConfiguration.class) })
@ConfigurationPropertiesScan
public class NamegateApplication {

    static final String LOGBACK_METRICS =
            "org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration";

    /** Reactor Netty's setting of how many event loops its global resources run. */
    static final String EVENT_LOOPS_PROPERTY = "reactor.netty.ioWorkerCount";
    /** Reactor Netty's setting of how many loops of its own accept the servers' connections. */
    static final String ACCEPT_LOOPS_PROPERTY = "reactor.netty.ioSelectCount";

    public static void main(String[] args) {
        oneEventLoopPerProcessor();
        acceptOnALoopOfItsOwn();
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
        setUnlessGiven(EVENT_LOOPS_PROPERTY, Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Without a loop of its own, a server accepts connections on one of the event loops, between
     * that loop's batches of reads: on a busy core, 256 connections opened at once waited up to
     * 1.5 s in the listening socket's queue, where no admission gate sees them, and a health
     * probe's new connection would wait as long. A loop that only accepts takes each at once and
     * hands it to the event loops; it sleeps otherwise. Unless
     * {@code -Dreactor.netty.ioSelectCount} says otherwise; set before any Reactor Netty class loads.
     */
    static void acceptOnALoopOfItsOwn() {
        setUnlessGiven(ACCEPT_LOOPS_PROPERTY, "1");
    }

    private static void setUnlessGiven(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** The application as {@code main} runs it: demo mode first, then the required-settings check. */
    static SpringApplication application() {
        SpringApplication app = new SpringApplication(NamegateApplication.class);
        app.addListeners(new DemoMode(), new RequiredSettings());
        return app;
    }
}
