package dev.namegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;
    // Far from zero and near overflow, because System.nanoTime() may be anywhere.
    private static final long T0 = Long.MAX_VALUE - 100 * SECOND;

    @Test
    void aFullBucketLetsTheBurstThroughAtOnceThenRefusesOneMore() {
        TokenBucket bucket = new TokenBucket(10, 3, T0);

        assertThat(bucket.tryAcquire(T0)).isTrue();
        assertThat(bucket.tryAcquire(T0)).isTrue();
        assertThat(bucket.tryAcquire(T0)).isTrue();
        assertThat(bucket.tryAcquire(T0)).isFalse();
    }

    @Test
    void tokensComeBackAtTheConfiguredRate() {
        TokenBucket bucket = new TokenBucket(10, 1, T0);
        assertThat(bucket.tryAcquire(T0)).isTrue();

        assertThat(bucket.tryAcquire(T0 + SECOND / 10 - 1)).isFalse();
        assertThat(bucket.tryAcquire(T0 + SECOND / 10)).isTrue();
        assertThat(bucket.tryAcquire(T0 + SECOND / 10)).isFalse();
    }

    @Test
    void anIdleBucketRefillsOnlyUpToTheBurst() {
        TokenBucket bucket = new TokenBucket(100, 2, T0);
        long later = T0 + 50 * SECOND;

        assertThat(bucket.tryAcquire(later)).isTrue();
        assertThat(bucket.tryAcquire(later)).isTrue();
        assertThat(bucket.tryAcquire(later)).isFalse();
    }

    @Test
    void refusedRequestsDoNotUseTokens() {
        TokenBucket bucket = new TokenBucket(1, 1, T0);
        assertThat(bucket.tryAcquire(T0)).isTrue();
        for (int i = 0; i < 100; i++) {
            assertThat(bucket.tryAcquire(T0 + i)).isFalse();
        }

        assertThat(bucket.tryAcquire(T0 + SECOND)).isTrue();
    }
}
