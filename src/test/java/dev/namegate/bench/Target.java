package dev.namegate.bench;

import java.util.Objects;

/**
 * Where the load goes and how each request looks.
 *
 * @param baseUrl       e.g. {@code http://127.0.0.1:8080}
 * @param post          {@code true} for the internal contract ({@code POST /{id}}), else GET
 * @param pathPrefix    prepended to the id, e.g. {@code /users/} or {@code /}
 * @param authorization value of the Authorization header, or {@code null} for none
 */
public record Target(String baseUrl, boolean post, String pathPrefix, String authorization) {

    public Target {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(pathPrefix, "pathPrefix");
    }

    /** The public API: {@code GET /users/{id}} with a bearer key. */
    public static Target publicApi(String baseUrl, String apiKey) {
        return new Target(baseUrl, false, "/users/", "Bearer " + Objects.requireNonNull(apiKey, "apiKey"));
    }

    /** The internal service called directly: {@code POST /{id}}, no credentials. */
    public static Target internal(String baseUrl) {
        return new Target(baseUrl, true, "/", null);
    }

    /** Secrets stay out of logs and reports. */
    @Override
    public String toString() {
        return (post ? "POST " : "GET ") + baseUrl + pathPrefix + "{id}" + (authorization != null ? " (authorized)" : "");
    }
}
