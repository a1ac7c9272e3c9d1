package dev.namegate.testing;

import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * Fails a test class whose code left a Netty buffer unreleased. The service runs without
 * Netty's leak tracking (it costs the hot path); the tests track every buffer
 * ({@code spring.netty.leak-detection=paranoid}, {@link RecordedBufferLeaks}) and this check
 * makes a leak a failure rather than a log line. A leaked buffer is found only once it is
 * garbage: hence the collections, and a new tracked buffer, which is when Netty looks.
 * Registered for every test through extension auto-detection.
 */
public final class NoBufferLeaks implements AfterAllCallback {

    private static final int COLLECTIONS = 3;

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (!RecordedBufferLeaks.installed()) {
            return;
        }
        List<String> leaks = leaksOfGarbage();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty resource(s) leaked by " + context.getDisplayName()
                    + " or a class before it:\n" + String.join("\n", leaks));
        }
    }

    /** The leaks Netty finds once what is garbage has been collected (for a test whose subject is a leak, at once). */
    public static List<String> leaksOfGarbage() throws InterruptedException {
        for (int i = 0; i < COLLECTIONS; i++) {
            System.gc();
            // the collector queues dead buffers' references on its own thread, shortly after
            Thread.sleep(10);
            // the unpooled allocator tracks only its direct buffers; Netty looks for leaks when it starts tracking one
            ByteBuf probe = UnpooledByteBufAllocator.DEFAULT.directBuffer(1);
            probe.release();
        }
        return RecordedBufferLeaks.drainAll();
    }
}
