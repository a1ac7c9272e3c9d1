package dev.namegate.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import dev.namegate.auth.KeyMint;
import dev.namegate.auth.KeyMint.MintedKey;
import dev.namegate.simulator.InternalServiceSimulator;
import dev.namegate.simulator.SimulatorSettingsParser;

/**
 * {@code make run}: the service with the internal-service simulator embedded, a freshly minted
 * demo key in a temporary keys file, and a working {@code curl} printed once the service is up.
 * Switched on by {@code namegate.demo.enabled=true}; the simulator's behaviour comes from
 * {@code namegate.demo.scenario} (a story scenario such as {@code flaky}, or several joined by
 * commas) and optional extra simulator arguments in {@code namegate.demo.simulator-args}.
 *
 * <p>The key is printed to the terminal (never to a log), like {@code make key} does.
 */
public final class DemoMode implements ApplicationListener<ApplicationEvent>, Ordered {

    private final PrintStream console;
    private InternalServiceSimulator simulator;
    private MintedKey key;
    private Path keysDir;
    private String scenario;

    public DemoMode() {
        this(System.out);
    }

    DemoMode(PrintStream console) {
        this.console = console;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE; // before RequiredSettings looks for the settings it provides
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            prepare(prepared.getEnvironment());
        } else if (event instanceof ApplicationReadyEvent ready && simulator != null) {
            printWelcome(ready.getApplicationContext().getEnvironment().getProperty("local.server.port", "8080"));
        } else if (event instanceof ContextClosedEvent || event instanceof ApplicationFailedEvent) {
            close();
        }
    }

    private void prepare(ConfigurableEnvironment environment) {
        if (!environment.getProperty("namegate.demo.enabled", Boolean.class, false) || simulator != null) {
            return;
        }
        scenario = environment.getProperty("namegate.demo.scenario", "healthy");
        List<String> args = new ArrayList<>();
        args.add("--scenario=" + scenario);
        String extra = environment.getProperty("namegate.demo.simulator-args", "");
        for (String arg : extra.trim().split("\\s+")) {
            if (!arg.isEmpty()) {
                args.add(arg);
            }
        }
        simulator = InternalServiceSimulator.start(SimulatorSettingsParser.parseArgs(args.toArray(String[]::new)));
        key = KeyMint.mint("demo", new SecureRandom());
        try {
            keysDir = Files.createTempDirectory("namegate-demo");
            Path keys = keysDir.resolve("keys");
            Files.writeString(keys, "# demo key, minted at start-up\n" + key.keysFileLine() + "\n");
            environment.getPropertySources().addFirst(new MapPropertySource("namegate-demo", Map.of(
                    "namegate.upstream.base-urls", String.join(",", simulator.baseUrls()),
                    "namegate.auth.keys-file", keys.toString())));
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("demo mode: cannot write the demo keys file", e);
        }
    }

    private void printWelcome(String port) {
        console.printf("%n namegate demo: the internal service is simulated (scenario: %s) at %s%n",
                scenario, String.join(",", simulator.baseUrls()));
        console.printf(" demo key (shown once): %s%n", key.key());
        console.printf(" try:%n   curl -i -H 'Authorization: Bearer %s' http://localhost:%s/users/1%n", key.key(), port);
        console.printf("   curl -i -H 'Authorization: Bearer %s' -H 'Accept: text/plain' http://localhost:%s/users/4%n",
                key.key(), port);
        console.printf("   simulator counters: curl -s %s/_sim/counters%n%n", simulator.liveBaseUrls().get(0));
    }

    private synchronized void close() {
        if (simulator != null) {
            simulator.close();
        }
        if (keysDir != null) {
            try (var files = Files.list(keysDir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(keysDir);
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
            keysDir = null;
        }
    }
}
