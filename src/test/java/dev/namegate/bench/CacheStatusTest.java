package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CacheStatusTest {

    @Test
    void theServicesCacheStatusValuesAreTold() {
        assertThat(CacheStatus.of("namegate; hit; ttl=59")).isEqualTo(CacheStatus.HIT);
        assertThat(CacheStatus.of("namegate; fwd=miss; stored")).isEqualTo(CacheStatus.FORWARDED);
        assertThat(CacheStatus.of("namegate; fwd=miss; collapsed")).isEqualTo(CacheStatus.FORWARDED);
        assertThat(CacheStatus.of("namegate; fwd=stale; fwd-status=502")).isEqualTo(CacheStatus.STALE);
        assertThat(CacheStatus.of(null)).isEqualTo(CacheStatus.ABSENT);
    }

    @Test
    void onlyAWholeParameterCounts() {
        assertThat(CacheStatus.of("namegate;hit")).isEqualTo(CacheStatus.HIT);
        assertThat(CacheStatus.of("namegate; hitch")).isEqualTo(CacheStatus.FORWARDED);
        assertThat(CacheStatus.of("hit")).isEqualTo(CacheStatus.FORWARDED);
        assertThat(CacheStatus.of("namegate; fwd=stalemate")).isEqualTo(CacheStatus.FORWARDED);
    }

    @Test
    void theHitRatioIsPerRequestAndUnknownWithoutAnyHeader() {
        assertThat(new CacheCounts(90, 45, 5).hitRatio(100)).isEqualTo(0.45);
        assertThat(new CacheCounts(90, 45, 5).staleRatio(100)).isEqualTo(0.05);
        assertThat(CacheCounts.NONE.hitRatio(100)).isNaN();
        assertThat(new CacheCounts(100, 0, 0).hitRatio(100)).isZero();
    }
}
