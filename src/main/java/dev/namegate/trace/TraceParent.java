package dev.namegate.trace;

import java.util.regex.Pattern;


/**
 * W3C Trace Context {@code traceparent} values. A caller's trace id is continued when its header
 * is well formed; each upstream attempt is a new span of that trace.
 */
public final class TraceParent {

    public static final String HEADER = "traceparent";

    private static final Pattern VALID = Pattern.compile("00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final String ZERO_TRACE = "0".repeat(32);

    private TraceParent() {
    }

    /** The trace id to use for a request: the caller's when valid, else a new random one. */
    public static String traceIdFrom(String incoming) {
        if (incoming != null) {
            var m = VALID.matcher(incoming);
            if (m.matches() && !ZERO_TRACE.equals(m.group(1))) {
                return m.group(1);
            }
        }
        return RandomHex.of(32);
    }

    /** A {@code traceparent} for a new span (one upstream attempt) of {@code traceId}, sampled. */
    public static String forNewSpan(String traceId) {
        return "00-" + traceId + '-' + RandomHex.of(16) + "-01";
    }
}
