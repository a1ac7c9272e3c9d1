package dev.namegate.time;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The one clock every guard reads and every timer runs on: the retry policy and its deadline,
 * the rate limiter, the breaker (through reactor-extra's {@code SchedulerClock}), the name cache's
 * ticker and the client limits. A test replaces this bean with a {@code VirtualTimeScheduler} and
 * moves all of them at once.
 */
@Configuration(proxyBeanMethods = false)
public class TimeConfiguration {

    /** Timers armed on an event loop run on that loop ({@link EventLoopTimers}), others on Reactor's parallel scheduler. */
    @Bean
    Scheduler namegateTime() {
        return new EventLoopTimers(Schedulers.parallel());
    }
}
