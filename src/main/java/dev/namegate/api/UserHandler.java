package dev.namegate.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import reactor.core.publisher.Mono;
import tools.jackson.core.io.JsonStringEncoder;

import dev.namegate.cache.CachedLookup;
import dev.namegate.cache.NameCache;
import dev.namegate.trace.TraceParent;
import dev.namegate.upstream.UpstreamFailure;
import dev.namegate.upstream.UserLookup;
import dev.namegate.web.Arrival;
import dev.namegate.web.ProblemKind;
import dev.namegate.web.Problems;
import dev.namegate.web.RequestId;
import dev.namegate.web.UserId;

/** {@code GET /users/{id}}: the name of one user, as JSON or plain text. */
public final class UserHandler {

    static final MediaType TEXT_UTF8 = new MediaType("text", "plain", StandardCharsets.UTF_8);

    /** RFC 9211 response header saying how the cache produced the answer. */
    static final String CACHE_STATUS = "Cache-Status";

    /** One DEBUG line per lookup that failed, with why (our own words): for finding where a 504 came from. */
    private static final Logger FAILURES = LoggerFactory.getLogger("dev.namegate.api.failures");

    private final NameCache users;

    public UserHandler(NameCache users) {
        this.users = users;
    }

    /**
     * The JSON body of a found user, {@code {"id":1,"name":"..."}}, written by hand with the name
     * escaped by Jackson's own string encoder: the generic encoder's lookups cost more than the
     * rest of the answer on this, the hottest path.
     */
    static byte[] userJson(long id, String name) {
        byte[] head = ("{\"id\":" + id + ",\"name\":\"").getBytes(StandardCharsets.US_ASCII);
        byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(name);
        byte[] json = Arrays.copyOf(head, head.length + quoted.length + 2);
        System.arraycopy(quoted, 0, json, head.length, quoted.length);
        json[json.length - 2] = '"';
        json[json.length - 1] = '}';
        return json;
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        long id = UserId.parse(request.pathVariable("id"));
        if (id < 0) {
            return Problems.respond(request, ProblemKind.INVALID_ID,
                    "A user id is 1 to " + UserId.MAX_DIGITS + " ASCII digits without sign or leading zero.");
        }
        MediaType representation = representation(request.headers().header(HttpHeaders.ACCEPT));
        if (representation == null) {
            return Problems.respond(request, ProblemKind.NOT_ACCEPTABLE,
                    "Users are available as application/json or text/plain.");
        }
        String requestId = RequestId.of(request.exchange());
        String traceId = TraceParent.traceIdFrom(request.headers().firstHeader(TraceParent.HEADER));
        return users.lookup(id, requestId, traceId, Arrival.elapsedNanos(request.exchange()))
                .flatMap(lookup -> respond(request, lookup, representation))
                .onErrorResume(UpstreamFailure.class, failure -> {
                    if (FAILURES.isDebugEnabled()) {
                        RequestId.withCorrelation(FAILURES.atDebug().addKeyValue("requestId", requestId), request.exchange())
                                .log("lookup failed ({}): {} [request={}]", failure.kind(), failure.reason(), requestId);
                    }
                    return failed(request, failure);
                });
    }

    private static Mono<ServerResponse> respond(ServerRequest request, CachedLookup cached, MediaType representation) {
        String cacheStatus = cached.cacheStatus();
        if (cached.lookup() instanceof UserLookup.Found found) {
            return Mono.just(representation == TEXT_UTF8
                    ? new UserFoundResponse(TEXT_UTF8, found.name().getBytes(StandardCharsets.UTF_8), cacheStatus)
                    : new UserFoundResponse(MediaType.APPLICATION_JSON, userJson(found.id(), found.name()), cacheStatus));
        }
        return Problems.respond(request, ProblemKind.USER_NOT_FOUND,
                "No user has id " + ((UserLookup.NotFound) cached.lookup()).id() + ".",
                headers -> {
                    if (cacheStatus != null) {
                        headers.set(CACHE_STATUS, cacheStatus);
                    }
                });
    }

    private static Mono<ServerResponse> failed(ServerRequest request, UpstreamFailure failure) {
        return switch (failure.kind()) {
            case FAILED -> Problems.respond(request, ProblemKind.UPSTREAM_FAILED,
                    "The user service kept failing; try again later.");
            case UNAVAILABLE -> Problems.respond(request, ProblemKind.UPSTREAM_UNAVAILABLE,
                    "The user service is unavailable; retry after the time given in Retry-After.",
                    headers -> headers.set(HttpHeaders.RETRY_AFTER, retryAfterSeconds(failure)));
            case DEADLINE -> Problems.respond(request, ProblemKind.DEADLINE_EXCEEDED,
                    "The user service did not answer in time.");
        };
    }

    private static String retryAfterSeconds(UpstreamFailure failure) {
        long millis = failure.retryAfter() == null ? 1000 : failure.retryAfter().toMillis();
        return Long.toString(Math.max(1, (millis + 999) / 1000));
    }

    /**
     * JSON or text, by the Accept header: highest quality wins, then the more specific range; a
     * tie (e.g. {@code *}{@code /*}) is JSON. {@code null} when neither is acceptable.
     */
    static MediaType representation(List<String> accept) {
        if (accept.isEmpty()) {
            return MediaType.APPLICATION_JSON;
        }
        if (accept.size() == 1) {
            // what nearly every client sends: no parsing on the hot path
            switch (accept.get(0)) {
                case "*/*", "application/json" -> {
                    return MediaType.APPLICATION_JSON;
                }
                case "text/plain" -> {
                    return TEXT_UTF8;
                }
                default -> {
                }
            }
        }
        List<MediaType> ranges;
        try {
            ranges = MediaType.parseMediaTypes(accept);
        } catch (IllegalArgumentException unreadable) {
            return MediaType.APPLICATION_JSON;
        }
        double json = score(ranges, MediaType.APPLICATION_JSON);
        double text = score(ranges, MediaType.TEXT_PLAIN);
        if (json <= 0 && text <= 0) {
            return null;
        }
        return text > json ? TEXT_UTF8 : MediaType.APPLICATION_JSON;
    }

    /**
     * The quality RFC 9110 gives {@code type}: that of the most specific range including it (so
     * {@code text/plain;q=0} excludes text even beside {@code *}{@code /*}), plus a tiny bonus for
     * specificity to break ties.
     */
    private static double score(List<MediaType> ranges, MediaType type) {
        int specificity = -1;
        double quality = 0;
        for (MediaType range : ranges) {
            if (range.includes(type)) {
                int s = range.isWildcardType() ? 0 : range.isWildcardSubtype() ? 1 : 2;
                if (s > specificity) {
                    specificity = s;
                    quality = range.getQualityValue();
                } else if (s == specificity) {
                    quality = Math.max(quality, range.getQualityValue());
                }
            }
        }
        return quality > 0 ? quality + specificity * 0.0001 : 0;
    }
}
