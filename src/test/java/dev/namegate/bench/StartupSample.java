package dev.namegate.bench;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One measured launch of the service. Times count from just before the process was started;
 * unknown values are {@code NaN}.
 *
 * @param firstAnswerMillis   until the first {@code GET /users/1} answered 200 with the right name, ms
 * @param readyMillis         until {@code /readyz} answered 200 (after the warm-up), ms
 * @param cpuAtFirstAnswerMillis CPU time (user + system) the service had used by its first right
 *                            answer, ms: less sensitive than wall time to a busy machine
 * @param rssAtFirstAnswerMiB resident set (VmRSS) right after the first right answer, MiB
 * @param rssAtReadyMiB       resident set right after readiness, MiB
 * @param startedMillis       the JVM's own uptime when Spring logged {@code Started ...}, ms
 */
public record StartupSample(double firstAnswerMillis, double readyMillis, double cpuAtFirstAnswerMillis,
        double rssAtFirstAnswerMiB,
        double rssAtReadyMiB, double startedMillis) {

    private static final Pattern STARTED = Pattern.compile("Started \\S+ in [0-9.]+ seconds \\(process running for ([0-9.]+)\\)");

    /** The JVM uptime in Spring Boot's {@code Started X in 1.2 seconds (process running for 1.5)} line, ms. */
    static OptionalDouble startedMillis(String logLine) {
        Matcher matcher = STARTED.matcher(logLine);
        return matcher.find() ? OptionalDouble.of(Double.parseDouble(matcher.group(1)) * 1000) : OptionalDouble.empty();
    }
}
