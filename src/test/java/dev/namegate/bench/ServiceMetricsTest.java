package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceMetricsTest {

    private static final String BEFORE = """
            # HELP namegate_upstream_attempts_total Upstream attempts by outcome
            # TYPE namegate_upstream_attempts_total counter
            namegate_upstream_attempts_total{outcome="success"} 100.0
            namegate_upstream_attempts_total{outcome="rate_limited"} 3.0
            # TYPE namegate_upstream_rate_limit gauge
            namegate_upstream_rate_limit 150.0
            # TYPE namegate_upstream_breaker_state gauge
            namegate_upstream_breaker_state 0.0
            # TYPE namegate_lookup_seconds histogram
            namegate_lookup_seconds_bucket{le="0.1"} 7.0
            # TYPE jvm_threads_live_threads gauge
            jvm_threads_live_threads 40.0
            """;

    @Test
    void countersShowTheirChangeAndGaugesTheirValueNow() {
        ServiceMetrics before = ServiceMetrics.parse(BEFORE);
        ServiceMetrics after = ServiceMetrics.parse(BEFORE.replace("} 100.0", "} 1600.0")
                .replace("namegate_upstream_rate_limit 150.0", "namegate_upstream_rate_limit 87.5")
                .replace("namegate_upstream_attempts_total{outcome=\"rate_limited\"} 3.0",
                        "namegate_upstream_attempts_total{outcome=\"rate_limited\"} 3.0\n"
                                + "namegate_upstream_attempts_total{outcome=\"timeout\"} 2.0"));

        assertThat(after.describeSince(before)).isEqualTo(String.join("\n",
                "  namegate_upstream_attempts_total{outcome=\"success\"} +1500",
                "  namegate_upstream_attempts_total{outcome=\"timeout\"} +2",
                "  namegate_upstream_rate_limit = 87.500"));
        assertThat(before.describeSince(before)).isEqualTo("  namegate_upstream_rate_limit = 150");
        assertThat(ServiceMetrics.unavailable("refused").describeSince(before)).contains("unavailable: refused");
    }

    @Test
    void theCacheHitRatioIsHitsPerLookupOverThePhase() {
        String cache = """
                # TYPE namegate_cache_requests_total counter
                namegate_cache_requests_total{result="hit"} %s
                namegate_cache_requests_total{result="miss"} %s
                namegate_cache_requests_total{result="collapsed"} 0.0
                """;
        ServiceMetrics before = ServiceMetrics.parse(cache.formatted("1000.0", "1000.0"));
        ServiceMetrics after = ServiceMetrics.parse(cache.formatted("1990.0", "1010.0"));

        assertThat(after.cacheHitRatioSince(before)).isEqualTo(0.99);
        assertThat(before.cacheHitRatioSince(before)).as("no lookup").isNaN();
        assertThat(ServiceMetrics.unavailable("refused").cacheHitRatioSince(before)).isNaN();
    }
}
