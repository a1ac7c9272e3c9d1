package dev.namegate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;

class RecordedBufferLeaksTest {

    /** Stands for a buffer: only its tracking matters here. */
    static final class Resource {
    }

    private final RecordedBufferLeaks<Resource> detector = new RecordedBufferLeaks<>(Resource.class, 1);

    @Test
    void theBuildTracksEveryBufferWithThisDetector() {
        assertThat(RecordedBufferLeaks.installed()).isTrue();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void aBufferOfNettysOwnAllocatorIsTrackedByThisDetector() throws InterruptedException {
        PooledByteBufAllocator.DEFAULT.directBuffer(8).writeLong(1);

        List<String> leaks = NoBufferLeaks.leaksOfGarbage();

        assertThat(leaks).isNotEmpty().allSatisfy(leak -> assertThat(leak).startsWith("ByteBuf released by nobody")
                .contains("aBufferOfNettysOwnAllocatorIsTrackedByThisDetector"));
    }

    @Test
    void aResourceNobodyClosedIsFoundOnceItIsGarbage() throws InterruptedException {
        track(new Resource()).record("handed to a handler that forgot it");

        List<String> leaks = collectAndLook();

        assertThat(leaks).singleElement().asString().contains("Resource released by nobody")
                .contains("handed to a handler that forgot it");
    }

    @Test
    void aClosedResourceIsNoLeak() throws InterruptedException {
        Resource resource = new Resource();
        track(resource).close(resource);

        assertThat(collectAndLook()).isEmpty();
    }

    private ResourceLeakTracker<Resource> track(Resource resource) {
        return detector.track(resource);
    }

    /** Leaks are reported when the next resource is tracked, after the collector found them. */
    private List<String> collectAndLook() throws InterruptedException {
        List<String> leaks = new ArrayList<>();
        List<Resource> kept = new ArrayList<>();
        for (int i = 0; i < 10 && leaks.isEmpty(); i++) {
            System.gc();
            Thread.sleep(10);
            Resource next = new Resource();
            kept.add(next);
            track(next).close(next);
            leaks.addAll(detector.drain());
        }
        return leaks;
    }
}
