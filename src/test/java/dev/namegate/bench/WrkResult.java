package dev.namegate.bench;

import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one {@code wrk} run counted, from the line its {@link WrkScript} {@code done()} hook prints.
 *
 * @param duration      how long wrk ran
 * @param requests      answers received (any status)
 * @param non2xx        answers with a status of 400 or more (wrk's "Non-2xx or 3xx responses")
 * @param connectErrors connections that could not be made
 * @param readErrors    connections that failed while reading (e.g. reset by the server)
 * @param writeErrors   connections that failed while writing
 * @param timeouts      requests not answered within wrk's {@code --timeout} (their answer, if it
 *                      comes later, is still counted in {@code requests})
 * @param p50Micros     median latency, µs, from each request's actual send (a closed loop waits)
 * @param p99Micros     99th percentile, µs
 * @param maxMicros     slowest answer, µs
 * @param cpuTicks      wrk's own CPU over the run (utime + stime, clock ticks), -1 when unknown
 */
record WrkResult(Duration duration, long requests, long non2xx, long connectErrors, long readErrors, long writeErrors,
        long timeouts, long p50Micros, long p99Micros, long maxMicros, long cpuTicks) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Socket errors of every kind, timeouts included, as wrk's "Socket errors" line adds them up. */
    long errors() {
        return connectErrors + readErrors + writeErrors + timeouts;
    }

    double seconds() {
        return duration.toNanos() / 1e9;
    }

    double requestsPerSecond() {
        return requests / seconds();
    }

    /**
     * Answers below 400 per second, less the socket errors: {@code (requests - non2xx - errors) / s},
     * never below 0. A timed-out request whose answer came later is subtracted although it was
     * counted as an answer, so this errs low. Bodies are not checked.
     */
    double correctPerSecond() {
        return Math.max(0, requests - non2xx - errors()) / seconds();
    }

    /** wrk's own CPU in cores over the run (1.0 = one core busy throughout), NaN when unknown. */
    double cpuCores() {
        return cpuTicks < 0 ? Double.NaN : (double) cpuTicks / ProcStats.ticksPerSecond() / seconds();
    }

    /**
     * The result in wrk's output, which holds the {@link WrkScript#RESULT_MARKER} line once.
     *
     * @throws IllegalArgumentException with the output's last lines when there is no such line
     *                                  (wrk could not connect, or the script failed)
     */
    static WrkResult parse(String output) {
        String line = output.lines().filter(l -> l.startsWith(WrkScript.RESULT_MARKER)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("wrk printed no result: "
                        + output.strip().lines().reduce((first, second) -> second).orElse("(no output)")));
        JsonNode json = JSON.readTree(line.substring(WrkScript.RESULT_MARKER.length()));
        return new WrkResult(Duration.ofNanos(json.required("duration_us").asLong() * 1000),
                json.required("requests").asLong(), json.required("non2xx").asLong(),
                json.required("connect_errors").asLong(), json.required("read_errors").asLong(),
                json.required("write_errors").asLong(), json.required("timeouts").asLong(),
                json.required("p50_us").asLong(), json.required("p99_us").asLong(), json.required("max_us").asLong(),
                json.required("cpu_ticks").asLong());
    }
}
