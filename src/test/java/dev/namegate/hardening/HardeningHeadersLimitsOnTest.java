package dev.namegate.hardening;

import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import mockwebserver3.MockWebServer;

/** {@link HardeningHeadersContract} with the limits on (the default). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "namegate.warmup.lookups=0", "namegate.warmup.requests=0",
        "namegate.overload.enabled=false",
        "namegate.upstream.response-timeout=1s", "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
})
class HardeningHeadersLimitsOnTest extends HardeningHeadersContract {

    static final MockWebServer upstream = startedUpstream();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        register(registry, upstream);
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    @Override
    boolean limitsEnabled() {
        return true;
    }
}
