package dev.namegate.web;

import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

import reactor.netty.Connection;

/** The Reactor Netty connection an exchange came on, for what handlers ahead of WebFlux noted on it. */
public final class ServerConnection {

    private ServerConnection() {
    }

    /** The exchange's connection; {@code null} for a request made up in a test, which has none. */
    public static Connection of(ServerWebExchange exchange) {
        Object request;
        try {
            request = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
        } catch (IllegalStateException noConnection) {
            return null;
        }
        return request instanceof Connection connection ? connection : null;
    }
}
