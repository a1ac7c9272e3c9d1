package dev.namegate.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.namegate.bench.Scenario;

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
 * Bad settings exit 2 with the reason on stderr.
 */
public final class LoadMain {

    private static final Path RESULTS = Path.of("target/gatling");

    private LoadMain() {
    }

    public static void main(String[] args) throws Exception {
        LoadSettings settings;
        try {
            settings = LoadSettings.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            System.err.println("make load: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (args.length == 1 && "simulations".equals(args[0])) {
            settings.runs().forEach(scenario -> System.out.println(ScenarioSimulation.classNameOf(scenario.name())));
        } else if (args.length == 2 && "summary".equals(args[0])) {
            System.exit(summary(settings, Long.parseLong(args[1]) * 1000) ? 0 : 1);
        } else {
            System.err.println("usage: LoadMain simulations | summary <since-epoch-seconds>");
            System.exit(2);
        }
    }

    private static boolean summary(LoadSettings settings, long sinceEpochMillis) {
        List<RunSummary> summaries = new ArrayList<>();
        for (Scenario scenario : settings.runs()) {
            summaries.add(summary(scenario, settings.rateOf(scenario), sinceEpochMillis));
        }
        System.out.println();
        System.out.println("load test summary (measured phase only; correct = right answer within "
                + LoadTarget.SLO_MILLIS + " ms):");
        summaries.forEach(summary -> System.out.println(summary.line()));
        summaries.forEach(summary -> summary.report().ifPresent(report ->
                System.out.println("report " + summary.scenario() + ": " + report.resolve("index.html"))));
        return summaries.stream().allMatch(RunSummary::passed);
    }

    private static RunSummary summary(Scenario scenario, double rate, long sinceEpochMillis) {
        LoadTarget target = LoadTarget.of(scenario.name());
        try {
            Optional<Path> run = GatlingReport.newest(RESULTS, ScenarioSimulation.classNameOf(scenario.name()),
                    sinceEpochMillis);
            if (run.isPresent()) {
                GatlingReport report = GatlingReport.read(run.get(), ScenarioSimulation.MEASURED);
                return new RunSummary(scenario.name(), rate, target,
                        Optional.of(report.measured().orElse(new RunSummary.Measured(0, 0, 0, 0))),
                        report.assertionsHeld(), run);
            }
        } catch (IOException | RuntimeException unreadable) {
            // one unreadable report costs that scenario its line, not the others theirs
            System.err.println(scenario.name() + ": cannot read its Gatling report: " + unreadable);
        }
        return RunSummary.notRun(scenario.name(), rate, target);
    }
}
