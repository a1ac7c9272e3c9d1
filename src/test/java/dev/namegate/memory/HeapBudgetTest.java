package dev.namegate.memory;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.namegate.cache.CacheProperties;
import dev.namegate.limits.LimitsProperties;

class HeapBudgetTest {

    /** {@code Runtime.maxMemory()} of the Deployment's JVM: 60% of 512 MiB, less one survivor space (Serial GC). */
    private static final long DEPLOYMENT_HEAP = 296L << 20;
    private static final int QUOTA_BYTES_PER_ID_AT_WORST = 128;

    @Test
    void aBoundUpToAQuarterOfTheHeapPassesAndOneBeyondNamesItsProperty() {
        assertThatCode(() -> HeapBudget.check("namegate.x", "1KB", 1_000, 4_000)).doesNotThrowAnyException();
        assertThatThrownBy(() -> HeapBudget.check("namegate.x", "1001B", 1_001, 4_000))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("namegate.x (1001B)")
                .hasMessageContaining("25% of the maximum heap");
    }

    @Test
    void theDefaultCacheAndQuotaBoundsEachFitAQuarterOfTheDeploymentsHeap() {
        Binder defaults = new Binder(new MapConfigurationPropertySource(Map.of()));
        CacheProperties cache = defaults.bindOrCreate("namegate.cache", CacheProperties.class);
        LimitsProperties limits = defaults.bindOrCreate("namegate.limits", LimitsProperties.class);

        assertThatCode(() -> HeapBudget.check("namegate.cache.max-weight", cache.maxWeight(),
                cache.maxWeight().toBytes(), DEPLOYMENT_HEAP)).doesNotThrowAnyException();
        assertThatCode(() -> HeapBudget.check("namegate.limits.quota.max-tracked-ids", limits.quota().maxTrackedIds(),
                limits.quota().maxTrackedIds() * QUOTA_BYTES_PER_ID_AT_WORST, DEPLOYMENT_HEAP))
                .doesNotThrowAnyException();
    }
}
