package dev.namegate.upstream.instances;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import reactor.test.scheduler.VirtualTimeScheduler;

import dev.namegate.upstream.attempt.AttemptOutcome;

/** Round robin with passive outlier detection, in virtual time. */
class UpstreamInstancesTest {

    private static final Duration PROBE = Duration.ofMillis(30);

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final List<String> events = new ArrayList<>();

    private UpstreamInstances instances(int n) {
        List<URI> urls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            urls.add(URI.create("http://127.0.0.1:" + (9000 + i) + "/"));
        }
        return new UpstreamInstances(urls, 3, Duration.ofSeconds(10).toNanos(), Duration.ofSeconds(25).toNanos(),
                PROBE.toNanos(), time,
                new UpstreamInstances.Listener() {
                    @Override
                    public void ejected(String instance, long forMillis) {
                        events.add("ejected " + instance + " " + forMillis);
                    }

                    @Override
                    public void returned(String instance) {
                        events.add("returned " + instance);
                    }
                });
    }

    private Set<Integer> picks(UpstreamInstances instances, int times) {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < times; i++) {
            seen.add(instances.pick(-1));
        }
        return seen;
    }

    @Test
    void aRetryNeverGoesBackToTheInstanceThatJustFailed() {
        UpstreamInstances instances = instances(3);
        for (int i = 0; i < 30; i++) {
            int previous = i % 3;
            assertThat(instances.pick(previous)).isNotEqualTo(previous);
        }
        assertThat(instances(1).pick(0)).isZero(); // one instance: nowhere else to go
    }

    @Test
    void consecutiveConnectFailuresEjectAnInstanceForAWhile() {
        UpstreamInstances instances = instances(3);
        instances.record(0, AttemptOutcome.CONNECT_FAILURE);
        instances.record(0, AttemptOutcome.CONNECT_FAILURE);
        assertThat(picks(instances, 30)).contains(0); // two in a row: still in
        instances.record(0, AttemptOutcome.CONNECT_FAILURE);

        assertThat(events).containsExactly("ejected http://127.0.0.1:9000 10000");
        assertThat(instances.ejectedCount()).isEqualTo(1);
        assertThat(picks(instances, 30)).containsExactlyInAnyOrder(1, 2);

        time.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(picks(instances, 30)).contains(0);
        instances.record(0, AttemptOutcome.SUCCESS);
        assertThat(events).last().isEqualTo("returned http://127.0.0.1:9000");
        assertThat(picks(instances, 30)).containsExactlyInAnyOrder(0, 1, 2);
    }

    private static int count(UpstreamInstances instances, int instance, int picks) {
        int n = 0;
        for (int i = 0; i < picks; i++) {
            n += instances.pick(-1) == instance ? 1 : 0;
        }
        return n;
    }

    private void eject(UpstreamInstances instances, int instance) {
        for (int i = 0; i < 3; i++) {
            instances.record(instance, AttemptOutcome.CONNECT_FAILURE);
        }
    }

    @Test
    void anInstanceDueBackTakesOneAttemptAtATimeUntilItAnswers() {
        UpstreamInstances instances = instances(3);
        eject(instances, 0);
        time.advanceTimeBy(Duration.ofSeconds(10));

        assertThat(count(instances, 0, 30)).as("attempts given the instance on probation").isEqualTo(1);
        time.advanceTimeBy(PROBE); // the probe was given up without an outcome: another may go
        assertThat(count(instances, 0, 30)).isEqualTo(1);

        instances.record(0, AttemptOutcome.TRANSIENT_STATUS); // says nothing of the instance, but the probe is over
        assertThat(events).last().isEqualTo("ejected http://127.0.0.1:9000 10000");
        assertThat(count(instances, 0, 30)).isEqualTo(1);

        instances.record(0, AttemptOutcome.SUCCESS);
        assertThat(events).last().isEqualTo("returned http://127.0.0.1:9000");
        assertThat(count(instances, 0, 30)).isEqualTo(10);
    }

    @Test
    void aFailedProbeEjectsAgainAtOnceForLonger() {
        UpstreamInstances instances = instances(3);
        eject(instances, 0);
        time.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(count(instances, 0, 30)).isEqualTo(1);

        instances.record(0, AttemptOutcome.CONNECT_FAILURE);
        assertThat(events).containsExactly("ejected http://127.0.0.1:9000 10000",
                "ejected http://127.0.0.1:9000 20000");
        assertThat(count(instances, 0, 30)).isZero();

        time.advanceTimeBy(Duration.ofSeconds(20));
        assertThat(count(instances, 0, 30)).isEqualTo(1);
        instances.record(0, AttemptOutcome.RESPONSE_TIMEOUT); // a probe that timed out fails as well
        assertThat(events).last().isEqualTo("ejected http://127.0.0.1:9000 25000");
    }

    @Test
    void timeoutsHaveTheirOwnHigherThreshold() {
        List<URI> urls = List.of(URI.create("http://127.0.0.1:9000"), URI.create("http://127.0.0.1:9001"));
        UpstreamInstances instances = new UpstreamInstances(urls, 3, 5, Duration.ofSeconds(10).toNanos(),
                Duration.ofSeconds(25).toNanos(), PROBE.toNanos(), time, UpstreamInstances.Listener.NONE);
        for (int i = 0; i < 4; i++) {
            instances.record(0, AttemptOutcome.RESPONSE_TIMEOUT);
        }
        instances.record(0, AttemptOutcome.CONNECT_FAILURE); // a different count: no ejection yet
        assertThat(instances.ejectedCount()).isZero();
        instances.record(0, AttemptOutcome.RESPONSE_TIMEOUT);
        assertThat(instances.ejectedCount()).isEqualTo(1);
    }

    @Test
    void aSingleInstanceIsNeverEjected() {
        UpstreamInstances instances = instances(1);
        for (int i = 0; i < 20; i++) {
            instances.record(0, AttemptOutcome.CONNECT_FAILURE);
        }
        assertThat(instances.ejectedCount()).isZero();
        assertThat(events).isEmpty();
    }

    @Test
    void aSuccessInBetweenResetsTheCount() {
        UpstreamInstances instances = instances(2);
        for (int i = 0; i < 10; i++) {
            instances.record(1, AttemptOutcome.CONNECT_FAILURE);
            instances.record(1, AttemptOutcome.SUCCESS);
        }
        assertThat(instances.ejectedCount()).isZero();
        instances.record(1, AttemptOutcome.TRANSIENT_STATUS); // a 500 is an answer: not an outlier sign
        instances.record(1, AttemptOutcome.TRANSIENT_STATUS);
        instances.record(1, AttemptOutcome.TRANSIENT_STATUS);
        assertThat(instances.ejectedCount()).isZero();
    }

    @Test
    void ejectionGrowsWithEachEjectionUpToTheMaximum() {
        UpstreamInstances instances = instances(2);
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 3; i++) {
                instances.record(0, AttemptOutcome.CONNECT_FAILURE);
            }
            time.advanceTimeBy(Duration.ofSeconds(30));
        }
        assertThat(events).containsExactly(
                "ejected http://127.0.0.1:9000 10000",
                "ejected http://127.0.0.1:9000 20000",
                "ejected http://127.0.0.1:9000 25000",
                "ejected http://127.0.0.1:9000 25000");
    }

    @Test
    void neverAreAllInstancesEjected() {
        UpstreamInstances instances = instances(3);
        for (int instance = 0; instance < 3; instance++) {
            for (int i = 0; i < 3; i++) {
                instances.record(instance, AttemptOutcome.CONNECT_FAILURE);
            }
            time.advanceTimeBy(Duration.ofSeconds(1));
        }
        // all three are out: the one due back first (instance 0) is still used
        assertThat(picks(instances, 10)).containsExactly(0);
        assertThat(instances.pick(0)).isEqualTo(1); // a retry still avoids the one that just failed
    }
}
