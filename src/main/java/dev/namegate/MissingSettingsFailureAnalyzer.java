package dev.namegate;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints which settings are missing and how to provide them, instead of a stack trace. */
final class MissingSettingsFailureAnalyzer extends AbstractFailureAnalyzer<RequiredSettings.MissingSettingsException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RequiredSettings.MissingSettingsException cause) {
        return new FailureAnalysis(
                "namegate needs settings that have no default. Missing:\n  - " + String.join("\n  - ", cause.missing()),
                "Set the environment variables above, or run the demo with the embedded simulator: make run",
                cause);
    }
}
