package dev.namegate.api;

import static org.springframework.web.reactive.function.server.RequestPredicates.all;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

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

    @Bean
    UserHandler userHandler(NameCache nameCache) {
        return new UserHandler(nameCache);
    }

    @Bean
    RouterFunction<ServerResponse> apiRouter(UserHandler users, AddressGuard addressGuard,
            BearerAuthentication authentication, ClientLimitsFilter clientLimits, LimitsProperties limits) {
        byte[] openApi = openApiDocument();
        return RouterFunctions.route()
                .path("/users", builder -> {
                    builder.GET("/{id}", users::get)
                            .HEAD("/{id}", users::get)
                            .route(path("/{id}"), request -> methodNotAllowed(request, "GET, HEAD"))
                            .route(all(), ApiRoutes::notFound);
                    if (limits.enabled()) {
                        builder.filter(authentication.reportingTo(addressGuard)).filter(clientLimits);
                    } else {
                        builder.filter(authentication);
                    }
                })
                .GET("/openapi.yaml", request -> ServerResponse.ok().contentType(YAML).bodyValue(openApi))
                .HEAD("/openapi.yaml", request -> ServerResponse.ok().contentType(YAML)
                        .contentLength(openApi.length).build())
                .route(path("/openapi.yaml"), request -> methodNotAllowed(request, "GET, HEAD"))
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

    private static byte[] openApiDocument() {
        try (InputStream in = new ClassPathResource("openapi.yaml").getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.yaml missing from the classpath", e);
        }
    }
}
