package dev.namegate.simulator;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code {"name":"..."}} response bodies, encoded once per id and then shared by every
 * request, because encoding JSON per request would dominate the simulator's cost in benchmarks.
 */
final class NameBodies {

    // Ids above this are encoded per request: a benchmark over millions of ids must not turn
    // the cache into a memory leak, and 64 Ki entries cover the id ranges benchmarks use.
    private static final int CACHED_IDS = 1 << 16;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    // Racing writers compute identical bytes, so a plain lazy set without locking is safe.
    private static final AtomicReferenceArray<byte[]> CACHE = new AtomicReferenceArray<>(CACHED_IDS + 1);

    private NameBodies() {
    }

    /** The UTF-8 JSON body for a known id; callers must not modify the returned array. */
    static byte[] of(long id) {
        if (id > CACHED_IDS) {
            return encode(id);
        }
        int index = (int) id;
        byte[] body = CACHE.get(index);
        if (body == null) {
            body = encode(id);
            CACHE.lazySet(index, body);
        }
        return body;
    }

    private static byte[] encode(long id) {
        return JSON.writeValueAsBytes(Map.of("name", SimulatedUsers.nameOf(id)));
    }
}
