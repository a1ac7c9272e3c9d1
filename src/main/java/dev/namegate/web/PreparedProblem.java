package dev.namegate.web;

import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * A problem answer encoded once, whose bodies differ only in their request id: for the refusals an
 * overload makes by the thousand a second. Encoded each time, every one would serialise a map
 * through Jackson, and the JIT would compile that path at the first overload, on the core the
 * overload has already filled (hundreds of milliseconds of compiling at the onset).
 */
public final class PreparedProblem {

    /** Stands in for the request id while encoding; our ids are hex digits (or "-"), which JSON leaves as they are. */
    private static final String ID_PLACEHOLDER = "00000000000000000000000000000000";

    private final HttpStatus status;
    private final byte[] beforeId;
    private final byte[] afterId;

    private PreparedProblem(HttpStatus status, byte[] beforeId, byte[] afterId) {
        this.status = status;
        this.beforeId = beforeId;
        this.afterId = afterId;
    }

    /** The problem of {@code kind} with {@code detail}, as {@link Problems#json} would encode it for any id. */
    public static PreparedProblem of(ProblemKind kind, String detail) {
        String json = new String(Problems.json(kind, detail, ID_PLACEHOLDER), StandardCharsets.UTF_8);
        int at = json.indexOf(ID_PLACEHOLDER);
        if (at < 0 || json.indexOf(ID_PLACEHOLDER, at + 1) >= 0) {
            throw new IllegalArgumentException("the detail must not hold the request id's placeholder");
        }
        return new PreparedProblem(kind.status(),
                json.substring(0, at).getBytes(StandardCharsets.UTF_8),
                json.substring(at + ID_PLACEHOLDER.length()).getBytes(StandardCharsets.UTF_8));
    }

    /** The body for the request {@code requestId}: one of ours, so nothing in it needs escaping. */
    public byte[] body(String requestId) {
        byte[] body = new byte[beforeId.length + requestId.length() + afterId.length];
        System.arraycopy(beforeId, 0, body, 0, beforeId.length);
        for (int i = 0; i < requestId.length(); i++) {
            body[beforeId.length + i] = (byte) requestId.charAt(i);
        }
        System.arraycopy(afterId, 0, body, beforeId.length + requestId.length(), afterId.length);
        return body;
    }

    /** Writes the answer to {@code exchange}, as {@link Problems#write} would. */
    public Mono<Void> write(ServerWebExchange exchange) {
        return Problems.writeJson(exchange, status, body(RequestId.of(exchange)));
    }
}
