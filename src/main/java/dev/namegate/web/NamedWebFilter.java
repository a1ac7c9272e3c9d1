package dev.namegate.web;

import org.springframework.web.server.WebFilter;

/**
 * A {@link WebFilter} whose {@code toString} is its class's simple name, made once. WebFlux's
 * filter chain puts every filter's {@code toString} in a checkpoint on every request, and
 * {@code Object}'s builds a new string from the class name and the identity hash each time.
 */
public abstract class NamedWebFilter implements WebFilter {

    private final String name = getClass().getSimpleName();

    @Override
    public final String toString() {
        return name;
    }
}
