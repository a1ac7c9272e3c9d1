package dev.namegate.api;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.HEAD;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.server.support.ServerResponseResultHandler;

import reactor.core.publisher.Mono;

import dev.namegate.auth.BearerAuthentication;
import dev.namegate.limits.AddressGuard;
import dev.namegate.limits.ClientLimitsFilter;
import dev.namegate.limits.LimitsProperties;
import dev.namegate.cache.NameCache;
import dev.namegate.web.ProblemKind;
import dev.namegate.web.Problems;

/**
 * The public API as one functional router. Everything under {@code /users} passes, in this order
 * (the first registered filter is the outermost): authentication (so an unknown path or a wrong
 * method there still needs a key), whose failures the source-address throttle counts and may
 * answer with a 429, the client's rate limit and quota; then the handler validates the id.
 */
@Configuration(proxyBeanMethods = false)
public class ApiRoutes {

    static final MediaType YAML = MediaType.parseMediaType("application/yaml");
    private static final String USER = "/users/{id}";
    private static final String OPEN_API = "/openapi.yaml";
    /** The top-level {@code servers:} key and its indented list items. */
    private static final Pattern SERVERS = Pattern.compile("(?m)^servers:\\n(?:[ \\t]+.*\\n)*");

    @Bean
    UserHandler userHandler(NameCache nameCache) {
        return new UserHandler(nameCache);
    }

    /** Only where WebFlux dispatches (a non-web context has no result handler to take its writers from). */
    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    RouteHandlerAdapter routeHandlerAdapter(ServerResponseResultHandler serverResponseResultHandler) {
        return new RouteHandlerAdapter(serverResponseResultHandler);
    }

    /** Only where WebFlux dispatches, as the adapter it writes with. */
    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    RoutesBeforeDispatcher routesBeforeDispatcher(RouteTable apiRouter, ServerCodecConfigurer codecs,
            RouteHandlerAdapter routeHandlerAdapter) {
        return new RoutesBeforeDispatcher(apiRouter, codecs.getReaders(), routeHandlerAdapter);
    }

    @Bean
    RouteTable apiRouter(UserHandler users, AddressGuard addressGuard,
            BearerAuthentication authentication, ClientLimitsFilter clientLimits, LimitsProperties limits,
            ApiProperties api) {
        byte[] openApi = openApiDocument(api.servers());
        RouteTable.Builder userRoutes = RouteTable.builder()
                .route(GET(USER), users::get)
                .route(HEAD(USER), users::get)
                .route(path(USER), request -> methodNotAllowed(request, "GET, HEAD"))
                .route(path("/users/**"), ApiRoutes::notFound);
        HandlerFilterFunction<ServerResponse, ServerResponse> userFilters = limits.enabled()
                ? authentication.reportingTo(addressGuard).andThen(clientLimits)
                : authentication;
        return RouteTable.builder()
                .filtered(userFilters, userRoutes)
                .route(GET(OPEN_API), request -> ServerResponse.ok().contentType(YAML).bodyValue(openApi))
                .route(HEAD(OPEN_API), request -> ServerResponse.ok().contentType(YAML).contentLength(openApi.length).build())
                .route(path(OPEN_API), request -> methodNotAllowed(request, "GET, HEAD"))
                .build();
    }

    static Mono<ServerResponse> methodNotAllowed(ServerRequest request, String allow) {
        return Problems.respond(request, ProblemKind.METHOD_NOT_ALLOWED,
                request.method().name() + " is not allowed here; allowed: " + allow + ".",
                headers -> headers.set(HttpHeaders.ALLOW, allow));
    }

    static Mono<ServerResponse> notFound(ServerRequest request) {
        return Problems.respond(request, ProblemKind.NOT_FOUND, "There is nothing at this path.");
    }

    /** openapi.yaml from the classpath, its {@code servers} replaced by {@code servers} unless empty. */
    static byte[] openApiDocument(List<URI> servers) {
        String document;
        try (InputStream in = new ClassPathResource("openapi.yaml").getInputStream()) {
            document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.yaml missing from the classpath", e);
        }
        if (!servers.isEmpty()) {
            Matcher block = SERVERS.matcher(document);
            if (!block.find()) {
                throw new IllegalStateException("openapi.yaml has no top-level servers list");
            }
            // a java.net.URI holds no double quote or backslash, so quoting needs no escapes
            String listed = servers.stream().map(server -> "  - url: \"" + server + "\"\n").collect(Collectors.joining());
            document = document.substring(0, block.start()) + "servers:\n" + listed + document.substring(block.end());
        }
        return document.getBytes(StandardCharsets.UTF_8);
    }
}
