package dev.namegate.testing;

import java.time.Instant;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The service's one clock ({@code namegateTime}) replaced by virtual time, which the test moves
 * by hand ({@code @Autowired VirtualTimeScheduler}, {@code advanceTimeBy}): the deadline, the
 * per-attempt timeouts, backoff, the guards, the name cache and the client limits all move with
 * it, while the network stays real. {@code @Import(VirtualTime.class)} on a {@link ServerTest}.
 * What Netty times itself (connect and response timeouts, the server's read deadlines) stays on
 * real time.
 */
@TestConfiguration(proxyBeanMethods = false)
public class VirtualTime {

    /** Where virtual time starts: a fixed instant, so that a date (a Retry-After) means the same in every run. */
    public static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    /** A virtual clock at {@link #START}, for a client built without Spring. */
    public static VirtualTimeScheduler scheduler() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        time.advanceTimeTo(START);
        return time;
    }

    @Bean(destroyMethod = "dispose")
    @Primary
    VirtualTimeScheduler namegateVirtualTime() {
        return scheduler();
    }
}
