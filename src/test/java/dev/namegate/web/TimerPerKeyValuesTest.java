package dev.namegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

class TimerPerKeyValuesTest {

    /** Three requests of one route, one of another, one failed, and an event. */
    private static void observeSome(ObservationRegistry observations) {
        for (String status : List.of("200", "200", "404")) {
            Observation.createNotStarted("http.server.requests", observations)
                    .lowCardinalityKeyValue("uri", "/users/{id}")
                    .lowCardinalityKeyValue("status", status)
                    .highCardinalityKeyValue("url", "/users/" + status)
                    .start().stop();
        }
        Observation failed = Observation.createNotStarted("http.server.requests", observations)
                .lowCardinalityKeyValue("uri", "/users/{id}")
                .lowCardinalityKeyValue("status", "500")
                .start();
        failed.error(new IllegalStateException("upstream body must not matter"));
        failed.event(Observation.Event.of("retried"));
        failed.stop();
    }

    private static MeterRegistry observedBy(Function<MeterRegistry, MeterObservationHandler<?>> handler) {
        MeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(handler.apply(meters));
        observeSome(observations);
        return meters;
    }

    private static List<String> described(MeterRegistry meters) {
        return meters.getMeters().stream()
                .map(meter -> meter.getId().getType() + " " + meter.getId().getName() + " "
                        + meter.getId().getTags() + " " + count(meter))
                .sorted()
                .toList();
    }

    private static long count(Meter meter) {
        return meter instanceof Timer timer ? timer.count() : Math.round(meter.measure().iterator().next().getValue());
    }

    @Test
    void recordsTheSameMetersAsMicrometersDefaultHandlerWithoutItsLongTaskTimers() {
        MeterRegistry ours = observedBy(TimerPerKeyValues::new);
        MeterRegistry micrometers = observedBy(registry -> new DefaultMeterObservationHandler(registry,
                DefaultMeterObservationHandler.IgnoredMeters.LONG_TASK_TIMER));

        assertThat(described(ours)).isEqualTo(described(micrometers)).containsExactly(
                "COUNTER http.server.requests.retried [tag(status=500), tag(uri=/users/{id})] 1",
                "TIMER http.server.requests [tag(error=IllegalStateException), tag(status=500), tag(uri=/users/{id})] 1",
                "TIMER http.server.requests [tag(error=none), tag(status=200), tag(uri=/users/{id})] 2",
                "TIMER http.server.requests [tag(error=none), tag(status=404), tag(uri=/users/{id})] 1");
    }

    @Test
    void registersEachTimerOnceAndRecordsTheObservedTime() {
        MeterRegistry meters = new SimpleMeterRegistry();
        int[] registered = { 0 };
        meters.config().onMeterAdded(meter -> registered[0]++);
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new TimerPerKeyValues(meters));

        for (int i = 0; i < 100; i++) {
            Observation.createNotStarted("http.server.requests", observations)
                    .lowCardinalityKeyValue("status", "200").start().stop();
        }

        assertThat(registered[0]).isOne();
        Timer timer = meters.get("http.server.requests").tag("status", "200").tag("error", "none").timer();
        assertThat(timer.count()).isEqualTo(100);
        assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }
}
