package dev.namegate;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Refuses to start without the two settings nothing can default: where the internal service is
 * and where the API keys are. Checked before any bean is made, so the message names every missing
 * setting at once instead of the first bean that trips over one.
 */
final class RequiredSettings implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        List<String> missing = missing(event.getEnvironment());
        if (!missing.isEmpty()) {
            throw new MissingSettingsException(missing);
        }
    }

    static List<String> missing(ConfigurableEnvironment environment) {
        List<String> missing = new ArrayList<>();
        if (isBlank(environment.getProperty("namegate.upstream.base-urls"))) {
            missing.add("INTERNAL_BASE_URL (the internal user service's base URL(s), comma-separated)");
        }
        if (isBlank(environment.getProperty("namegate.auth.keys-file"))) {
            missing.add("API_KEYS_FILE (the keys file: '<client-id> <sha256-hex>' per line; mint with make key CLIENT=name)");
        }
        return missing;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** Startup stops with this; {@link MissingSettingsFailureAnalyzer} turns it into a plain message. */
    static final class MissingSettingsException extends RuntimeException {
        private final List<String> missing;

        MissingSettingsException(List<String> missing) {
            super("namegate cannot start: missing " + String.join(" and ", missing));
            this.missing = List.copyOf(missing);
        }

        List<String> missing() {
            return missing;
        }
    }
}
