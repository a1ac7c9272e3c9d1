package dev.namegate.bench;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.LongFunction;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The checkers the benchmark needs: the public API contract and the internal (direct) contract. */
public final class ResponseChecks {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final byte[] USER_NOT_EXISTS = "User not exists".getBytes(StandardCharsets.US_ASCII);

    private ResponseChecks() {
    }

    /**
     * The public API: ids 1..users answer 200 with {@code {"id":N,"name":expected}}; any other id
     * answers 404 problem+json.
     */
    public static ResponseCheck publicApi(long users, LongFunction<String> expectedName) {
        Objects.requireNonNull(expectedName, "expectedName");
        return (id, status, contentType, body) -> {
            if (id >= 1 && id <= users) {
                return status == 200 && nameMatches(body, expectedName.apply(id), id) ? Outcome.CORRECT : Outcome.WRONG;
            }
            return status == 404 && isProblem(contentType) ? Outcome.CORRECT : Outcome.WRONG;
        };
    }

    /**
     * The internal service called directly (baseline): ids 1..users answer 200 {@code {"name":...}},
     * unknown ids answer 500 {@code User not exists.} (that is its protocol, not a failure).
     */
    public static ResponseCheck internalApi(long users, LongFunction<String> expectedName) {
        Objects.requireNonNull(expectedName, "expectedName");
        return (id, status, contentType, body) -> {
            if (id >= 1 && id <= users) {
                return status == 200 && nameMatches(body, expectedName.apply(id), -1) ? Outcome.CORRECT : Outcome.WRONG;
            }
            return status == 500 && contains(body, USER_NOT_EXISTS) ? Outcome.CORRECT : Outcome.WRONG;
        };
    }

    /**
     * When the upstream is down the best possible answer is a fast, honest problem: any 5xx, and
     * (when {@code requireProblemJson}) typed as problem+json. A 200 would be a lie, a 404 worse.
     */
    public static ResponseCheck serverProblem(boolean requireProblemJson) {
        return (id, status, contentType, body) ->
                status >= 500 && status <= 599 && (!requireProblemJson || isProblem(contentType))
                        ? Outcome.CORRECT : Outcome.WRONG;
    }

    /**
     * The public API while the internal service is down: the name the service's cache still
     * holds for an id is the best answer (checked as {@link #publicApi} does), and otherwise a
     * fast, honest server problem ({@link #serverProblem} with problem+json).
     */
    public static ResponseCheck outage(long users, LongFunction<String> expectedName) {
        ResponseCheck name = publicApi(users, expectedName);
        ResponseCheck problem = serverProblem(true);
        return (id, status, contentType, body) -> status == 200
                ? name.check(id, status, contentType, body)
                : problem.check(id, status, contentType, body);
    }

    public static boolean isProblem(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, PROBLEM_JSON, 0, PROBLEM_JSON.length());
    }

    /** {@code expectedId < 0} skips the id check (the internal answer carries no id). */
    static boolean nameMatches(byte[] body, String expected, long expectedId) {
        if (expected == null) {
            return false;
        }
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode name = root.get("name");
            if (name == null || !name.isString() || !expected.equals(name.stringValue())) {
                return false;
            }
            if (expectedId >= 0) {
                JsonNode id = root.get("id");
                return id != null && id.isIntegralNumber() && id.longValue() == expectedId;
            }
            return true;
        } catch (RuntimeException notJson) {
            // A garbled body is a wrong answer, not a crash of the load generator.
            return false;
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
