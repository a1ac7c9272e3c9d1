package dev.namegate.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ContextCustomizerFactories;
import org.springframework.test.context.TestExecutionListeners;
import org.springframework.test.context.TestExecutionListeners.MergeMode;
import org.springframework.test.context.TestPropertySource;

/**
 * A test of the whole service, started on a random port (the management server on another), with
 * the test keys file ({@link TestKeys}) and the class's {@link MockUpstream} (a {@code static}
 * {@code @RegisterExtension} field) as the internal service; no warm-up, and the overload probe
 * off (its timer runs on every event loop; a test of overload switches it on).
 *
 * <p>The context is closed after the class, so nothing of it (event loops, probes, timers) runs
 * on through later classes. Classes whose upstream is {@link MockUpstream#shared} and whose
 * settings are the same share one context instead, which is then kept for them.
 *
 * <p>A class's own settings go in {@code @TestPropertySource(properties = ...)}; they override
 * these. Answers are checked against the OpenAPI document by {@link OpenApiContract#client(int)}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {
        "management.server.port=0",
        "namegate.overload.enabled=false",
        "namegate.warmup.lookups=0", "namegate.warmup.requests=0", "namegate.warmup.probes=0",
        "namegate.warmup.cache-drill-operations=0", "namegate.warmup.drill-requests=0" })
@ContextCustomizerFactories(ServerTestContexts.class)
@TestExecutionListeners(listeners = ServerTestContexts.CloseAfterClass.class, mergeMode = MergeMode.MERGE_WITH_DEFAULTS)
public @interface ServerTest {

    /**
     * The request path on its own, the settings of the classes that share a context: every guard
     * (hedging, breaker, rate limit, retry budget) and the cache off, so one request is one
     * upstream attempt plus its retries; timeouts generous for a busy machine (the 100 ms budget
     * is the benchmarks'). Use with {@link MockUpstream#shared}.
     */
    String REQUEST_PATH_ONLY = """
            namegate.cache.enabled=false
            namegate.upstream.hedging.enabled=false
            namegate.upstream.breaker.enabled=false
            namegate.upstream.rate-limit.enabled=false
            namegate.upstream.budget.enabled=false
            namegate.upstream.connect-timeout=500ms
            namegate.upstream.response-timeout=1s
            namegate.upstream.attempt-timeout=1500ms
            namegate.upstream.deadline=5s
            namegate.upstream.pool.pending-acquire-timeout=500ms
            """;
}
