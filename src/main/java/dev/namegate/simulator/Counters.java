package dev.namegate.simulator;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link SimulatorCounters}: one {@link LongAdder} each, because every
 * event-loop thread increments them on every request and a lock or a contended CAS would show
 * up in benchmarks. Snapshots and resets are not atomic across fields; benchmarks read them
 * between runs, when nothing is in flight.
 */
final class Counters {
    final LongAdder attempts = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder notFound = new LongAdder();
    final LongAdder transient500 = new LongAdder();
    final LongAdder outage500 = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder delayed = new LongAdder();
    final LongAdder closed = new LongAdder();
    final LongAdder badRequest = new LongAdder();
    final LongAdder connections = new LongAdder();

    SimulatorCounters snapshot() {
        return new SimulatorCounters(attempts.sum(), ok.sum(), notFound.sum(), transient500.sum(),
                outage500.sum(), rateLimited.sum(), delayed.sum(), closed.sum(), badRequest.sum(),
                connections.sum());
    }

    void reset() {
        for (LongAdder adder : new LongAdder[] {attempts, ok, notFound, transient500, outage500, rateLimited,
                delayed, closed, badRequest, connections}) {
            adder.reset();
        }
    }
}
