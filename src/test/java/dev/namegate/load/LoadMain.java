package dev.namegate.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.namegate.bench.Scenario;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;

/**
 * The two steps of {@code make load} around the Gatling runs, configured by the same system
 * properties as the simulations ({@link LoadSettings}):
 * <ul>
 * <li>{@code simulations}: prints the simulation class of every selected scenario, one per line,
 *     in the order to run them;</li>
 * <li>{@code summary <since-epoch-seconds>}: prints one {@link RunSummary} line per selected
 *     scenario from its newest run since then, and the reports' paths; exits 1 unless every
 *     scenario ran and passed.</li>
 * </ul>
 * Bad settings exit 2 with the reason on stderr. Gatling's log reader needs
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}.
 */
public final class LoadMain {

    private static final Path RESULTS = Path.of("target/gatling");

    private LoadMain() {
    }

    public static void main(String[] args) throws Exception {
        // Gatling's reader logs its configuration at INFO; the summary is the only output wanted.
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        }
        LoadSettings settings;
        try {
            settings = LoadSettings.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            System.err.println("make load: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (args.length == 1 && "simulations".equals(args[0])) {
            settings.scenarios().forEach(scenario -> System.out.println(ScenarioSimulation.classNameOf(scenario.name())));
        } else if (args.length == 2 && "summary".equals(args[0])) {
            System.exit(summary(settings, Long.parseLong(args[1]) * 1000) ? 0 : 1);
        } else {
            System.err.println("usage: LoadMain simulations | summary <since-epoch-seconds>");
            System.exit(2);
        }
    }

    private static boolean summary(LoadSettings settings, long sinceEpochMillis) throws Exception {
        GatlingRuns runs = new GatlingRuns(RESULTS);
        List<RunSummary> summaries = new ArrayList<>();
        for (Scenario scenario : settings.scenarios()) {
            LoadTarget target = LoadTarget.of(scenario.name());
            double rate = settings.rateOf(scenario);
            Optional<GatlingRuns.Run> run;
            try {
                run = runs.latest(ScenarioSimulation.classNameOf(scenario.name()), sinceEpochMillis);
            } catch (IOException | RuntimeException unreadable) {
                // e.g. a log cut short by a crash: that scenario has no result, the others still do
                System.err.println(scenario.name() + ": cannot read its Gatling run: " + unreadable);
                run = Optional.empty();
            }
            summaries.add(run.map(measured -> new RunSummary(scenario.name(), rate, target,
                            Optional.of(measured.measured()), Optional.of(measured.directory())))
                    .orElseGet(() -> RunSummary.notRun(scenario.name(), rate, target)));
        }
        System.out.println();
        System.out.println("load test summary (measured phase only; correct = right answer within "
                + LoadTarget.SLO_MILLIS + " ms):");
        summaries.forEach(summary -> System.out.println(summary.line()));
        summaries.forEach(summary -> summary.report().ifPresent(report ->
                System.out.println("report " + summary.scenario() + ": " + report.resolve("index.html"))));
        return summaries.stream().allMatch(RunSummary::passed);
    }
}
