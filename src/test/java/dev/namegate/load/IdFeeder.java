package dev.namegate.load;

import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

import dev.namegate.bench.IdMix;

/**
 * An endless Gatling feeder of user ids drawn from a scenario's {@link IdMix}: {@value #ID} is the
 * id, {@value #KNOWN} whether the simulator knows it (so the answer must be a name, not a 404).
 */
final class IdFeeder implements Iterator<Map<String, Object>> {

    static final String ID = "id";
    static final String KNOWN = "known";

    private final IdMix ids;
    private final LongSupplier generator;

    IdFeeder(IdMix ids, long seed) {
        this.ids = ids;
        this.generator = ids.generator(seed);
    }

    @Override
    public boolean hasNext() {
        return true;
    }

    /** Synchronized: the random generator is not thread-safe, and it is cheap at these rates. */
    @Override
    public synchronized Map<String, Object> next() {
        long id = generator.getAsLong();
        return Map.of(ID, id, KNOWN, id <= ids.users());
    }
}
