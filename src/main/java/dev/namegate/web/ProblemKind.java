package dev.namegate.web;

import java.net.URI;

import org.springframework.http.HttpStatus;

/**
 * Every kind of problem the public API can answer with. The {@code type} URI of each kind is
 * stable: clients may switch on it. Titles are fixed per kind; details vary per request.
 */
public enum ProblemKind {
    INVALID_ID(HttpStatus.BAD_REQUEST, "invalid-id", "Invalid user id"),
    CREDENTIALS_IN_QUERY(HttpStatus.BAD_REQUEST, "credentials-in-query", "Credentials in the URL"),
    UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "unauthorized", "Missing or invalid credentials"),
    USER_NOT_FOUND(HttpStatus.NOT_FOUND, "user-not-found", "User not found"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "not-found", "No such resource"),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
    NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "not-acceptable", "Not acceptable"),
    BAD_REQUEST(HttpStatus.BAD_REQUEST, "bad-request", "Bad request"),
    RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests"),
    QUOTA_EXCEEDED(HttpStatus.TOO_MANY_REQUESTS, "quota-exceeded", "Quota of distinct users exceeded"),
    AUTHENTICATION_THROTTLED(HttpStatus.TOO_MANY_REQUESTS, "authentication-throttled",
            "Too many failed authentications"),
    UPSTREAM_FAILED(HttpStatus.BAD_GATEWAY, "upstream-failed", "The user service failed"),
    UPSTREAM_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "upstream-unavailable", "The user service is unavailable"),
    OVERLOADED(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "The service is overloaded"),
    DEADLINE_EXCEEDED(HttpStatus.GATEWAY_TIMEOUT, "deadline-exceeded", "The user service did not answer in time"),
    INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error");

    /** Base of every problem {@code type}; the documentation of each kind lives under it. */
    public static final String TYPE_BASE = "https://namegate.dev/problems/";

    private final HttpStatus status;
    private final URI type;
    private final String title;

    ProblemKind(HttpStatus status, String slug, String title) {
        this.status = status;
        this.type = URI.create(TYPE_BASE + slug);
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public URI type() {
        return type;
    }

    public String title() {
        return title;
    }
}
