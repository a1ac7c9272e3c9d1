package dev.namegate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.MediaType;

import io.micrometer.core.instrument.MeterRegistry;

import dev.namegate.NamegateApplication;
import dev.namegate.testing.OpenApiContract;

/** The auth beans as Boot wires them: startup refusals and the filters in a real server. */
class AuthStartupTest {

    @TempDir
    Path dir;

    @Test
    void startsWithAKeysFileGivenAsAPropertyAndItsPollerInstallsANewKey() throws IOException {
        String alice = KeyMint.mint("alice", new SecureRandom()).keysFileLine() + "\n";
        KeyMint.MintedKey bob = KeyMint.mint("bob", new SecureRandom());
        Path keys = Files.writeString(dir.resolve("keys"), alice);

        try (ConfigurableApplicationContext context = start(WebApplicationType.NONE,
                "--namegate.auth.keys-file=" + keys, "--namegate.auth.reload-interval=50ms")) {
            KeyRegistry registry = context.getBean(KeyRegistry.class);
            assertThat(registry.table().size()).isEqualTo(1);
            assertThat(registry.clientFor(bob.key())).isEmpty();

            Path next = Files.writeString(dir.resolve("keys.tmp"), alice + bob.keysFileLine() + "\n");
            Files.move(next, keys, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            // the poller swaps the table, then counts the reload: wait for the count, not only the key
            var reloaded = context.getBean(MeterRegistry.class).counter("namegate.auth.keys.reloads", "outcome", "reloaded");
            await().atMost(Duration.ofSeconds(5)).until(() -> reloaded.count() > 0);
            assertThat(registry.clientFor(bob.key())).isPresent();
            assertThat(reloaded.count()).isEqualTo(1);
        }
    }

    @Test
    void refusesToStartWithoutAKeysFileNamingApiKeysFile() {
        // What application.yaml's ${API_KEYS_FILE:} gives when the variable is not set.
        assertThatThrownBy(() -> start(WebApplicationType.NONE, "--namegate.auth.keys-file="))
                .satisfies(e -> assertThat(NestedExceptionUtils.getMostSpecificCause(e))
                        .hasMessageContaining("API_KEYS_FILE"));
    }

    @Test
    void refusesToStartWithABadLineNamingItsNumber() throws IOException {
        Path keys = Files.writeString(dir.resolve("keys"), "# keys\nalice xyz\n");

        assertThatThrownBy(() -> start(WebApplicationType.NONE, "--namegate.auth.keys-file=" + keys))
                .satisfies(e -> assertThat(NestedExceptionUtils.getMostSpecificCause(e))
                        .isInstanceOf(KeyFileException.class)
                        .hasMessage("keys file " + keys + " line 2: bad SHA-256 hex (expected 64 hex digits)"));
    }

    @ParameterizedTest
    @CsvSource({ "reload-interval=30s, reloadInterval", "max-removed-share=1.5, maxRemovedShare",
        "max-removed-share=0, maxRemovedShare" })
    void refusesToStartWithAnAuthSettingOutOfRange(String setting, String field) throws IOException {
        Path keys = Files.writeString(dir.resolve("keys"), "");

        assertThatThrownBy(() -> start(WebApplicationType.NONE, "--namegate.auth.keys-file=" + keys,
                "--namegate.auth." + setting))
                .hasStackTraceContaining(field);
    }

    @Test
    void realServerRefusesQueryCredentialsOnEveryPath() throws IOException {
        Path keys = Files.writeString(dir.resolve("keys"), "");

        try (ConfigurableApplicationContext context = start(WebApplicationType.REACTIVE,
                "--namegate.auth.keys-file=" + keys, "--server.port=0")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            OpenApiContract.client(port)
                    .get().uri("/actuator/health?Password=x")
                    .exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().exists("X-Request-Id").expectBody().returnResult();
        }
    }

    private static ConfigurableApplicationContext start(WebApplicationType type, String... args) {
        // the internal service is not needed here: an address nothing listens on, no warm-up
        String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of(
                        "--namegate.upstream.base-urls=http://127.0.0.1:9", "--namegate.warmup.lookups=0", "--namegate.warmup.requests=0", "--namegate.warmup.probes=0", "--namegate.warmup.drill-requests=0",
                        "--management.server.port=0"), java.util.Arrays.stream(args))
                .toArray(String[]::new);
        return new SpringApplicationBuilder(NamegateApplication.class).web(type).run(all);
    }
}
