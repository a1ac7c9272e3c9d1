package dev.namegate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.MockServerConfigurer;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.web.RequestIdFilter;

/**
 * Every log event at DEBUG and above, from every logger, while keys and query credentials go
 * through the filters and the keys file is reloaded, must be free of the key, its hash and the
 * query value.
 */
class NoSecretsInLogsTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String QUERY_SECRET = "hunter2querysecret";

    @TempDir
    Path dir;

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level previousLevel;

    @BeforeEach
    void captureEverything() {
        previousLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        appender.start();
        root.addAppender(appender);
    }

    @AfterEach
    void restore() {
        root.detachAppender(appender);
        root.setLevel(previousLevel);
    }

    @Test
    void keysHashesAndQueryCredentialsNeverReachALog() throws IOException {
        MintedKey alice = KeyMint.mint("alice", RANDOM);
        MintedKey bob = KeyMint.mint("bob", RANDOM);
        Path keys = Files.writeString(dir.resolve("keys"), alice.keysFileLine() + "\n");
        KeyRegistry registry = new KeyRegistry(new AuthProperties(keys, Duration.ofSeconds(2), 0.5), new SimpleMeterRegistry());
        WebTestClient client = WebTestClient
                .bindToRouterFunction(RouterFunctions
                        .route(GET("/users/{id}"), request -> ServerResponse.ok().bodyValue("John"))
                        .filter(new BearerAuthentication(registry)))
                .webFilter(new RequestIdFilter(), new CredentialsInQueryFilter())
                .apply(new MockServerConfigurer() {
                    @Override
                    public void beforeServerCreated(WebHttpHandlerBuilder builder) {
                        builder.httpHandlerDecorator(new QueryCredentialMasking());
                    }
                })
                .build();

        client.get().uri("/users/1").header(HttpHeaders.AUTHORIZATION, "Bearer " + alice.key())
                .exchange().expectStatus().isOk().expectBody().returnResult();
        client.get().uri("/users/1").header(HttpHeaders.AUTHORIZATION, "Bearer " + bob.key())
                .exchange().expectStatus().isUnauthorized().expectBody().returnResult();
        client.get().uri("/users/1").header(HttpHeaders.AUTHORIZATION, "Bearer " + alice.key() + "x")
                .exchange().expectStatus().isUnauthorized().expectBody().returnResult();
        client.get().uri(URI.create("/users/1?password=" + QUERY_SECRET))
                .exchange().expectStatus().isBadRequest().expectBody().returnResult();
        client.get().uri(URI.create("/users/1?u=1&api_key=" + QUERY_SECRET))
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + alice.key())
                .exchange().expectStatus().isBadRequest().expectBody().returnResult();
        client.get().uri(URI.create("/users/1?x-api-key=" + alice.key()))
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + alice.key())
                .exchange().expectStatus().isBadRequest().expectBody().returnResult();
        client.get().uri(URI.create("/users/" + bob.key())).header(HttpHeaders.AUTHORIZATION, "Bearer " + alice.key())
                .exchange().expectStatus().isBadRequest().expectBody().returnResult();
        client.get().uri(URI.create("/users/1?" + bob.key() + "=1"))
                .exchange().expectStatus().isBadRequest().expectBody().returnResult();
        Files.writeString(keys, alice.keysFileLine() + "\n" + bob.keysFileLine() + "\n");
        assertThat(registry.reloadNow()).isEqualTo(KeyRegistry.ReloadOutcome.RELOADED);
        Files.writeString(keys, bob.keysFileLine() + " colour=" + alice.key() + "\n");
        assertThat(registry.reloadNow()).isEqualTo(KeyRegistry.ReloadOutcome.REJECTED);
        Files.writeString(keys, "");
        assertThat(registry.reloadNow()).isEqualTo(KeyRegistry.ReloadOutcome.REFUSED);

        List<String> secrets = List.of(alice.key(), bob.key(), alice.sha256Hex(), bob.sha256Hex(),
                alice.sha256Hex().toUpperCase(Locale.ROOT), QUERY_SECRET);
        List<String> logged = serverSideText();
        assertThat(logged).as("captured log text").isNotEmpty();
        for (String text : logged) {
            for (String secret : secrets) {
                assertThat(text).doesNotContain(secret);
            }
        }
    }

    /** Messages, arguments and throwables of every captured event, except the test's own HTTP client. */
    private List<String> serverSideText() {
        List<String> texts = new ArrayList<>();
        for (ILoggingEvent event : appender.list) {
            // The test's own HTTP client (WebClient + the mock connector) logs the URL it was told
            // to call; a real client is outside the service. Everything server-side is checked.
            if (event.getLoggerName().startsWith("org.springframework.web.reactive.function.client")
                    || event.getLoggerName().startsWith("org.springframework.test.web.reactive.server")) {
                continue;
            }
            texts.add(event.getLoggerName() + " " + event.getFormattedMessage());
            if (event.getArgumentArray() != null) {
                for (Object argument : event.getArgumentArray()) {
                    texts.add(String.valueOf(argument));
                }
            }
            for (var thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
                texts.add(thrown.getClassName() + " " + thrown.getMessage());
            }
        }
        return texts;
    }
}
