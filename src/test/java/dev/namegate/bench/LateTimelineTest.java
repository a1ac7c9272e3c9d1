package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LateTimelineTest {

    @Test
    void filesLateAnswersByTheSliceOfTheirIntendedSendTime() {
        LateTimeline.Recorder recorder = new LateTimeline.Recorder(Duration.ofSeconds(2), Duration.ofMillis(500));
        for (int i = 0; i < 4; i++) {
            recorder.scheduled(Duration.ofMillis(100).toNanos());
        }
        recorder.scheduled(Duration.ofMillis(600).toNanos());
        recorder.late(Duration.ofMillis(600).toNanos(), true);
        recorder.scheduled(Duration.ofMillis(700).toNanos());
        recorder.late(Duration.ofMillis(700).toNanos(), false);

        LateTimeline timeline = recorder.snapshot();

        assertThat(timeline.scheduled()).startsWith(4, 2);
        assertThat(timeline.totalLate()).isEqualTo(2);
        assertThat(timeline.describe()).isEqualTo("late (ok+other) per 500 ms: - 1+1/2");
    }

    @Test
    void offsetsOutsideTheScheduleCountInItsEndSlices() {
        LateTimeline.Recorder recorder = new LateTimeline.Recorder(Duration.ofSeconds(1), Duration.ofMillis(500));
        recorder.scheduled(Duration.ofSeconds(30).toNanos());
        recorder.late(Duration.ofSeconds(30).toNanos(), false);
        recorder.scheduled(-5);

        LateTimeline timeline = recorder.snapshot();

        assertThat(timeline.scheduled()).containsExactly(1, 0, 1);
        assertThat(timeline.lateOther()).containsExactly(0, 0, 1);
    }
}
