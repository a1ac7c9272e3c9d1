package dev.namegate.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import io.gatling.charts.stats.GeneralStats;
import io.gatling.charts.stats.LogFileData;
import io.gatling.charts.stats.LogFileReader;
import io.gatling.commons.stats.OK$;
import io.gatling.commons.stats.Status;
import io.gatling.core.config.GatlingConfiguration;

import scala.Option;

/**
 * Reads finished Gatling runs under the results folder ({@code target/gatling/<simulation>-<timestamp>/})
 * with Gatling's own log reader, the one behind its HTML report and assertions, so the summary
 * shows the report's numbers.
 */
final class GatlingRuns {

    private final Path results;
    private final GatlingConfiguration configuration = GatlingConfiguration.load();

    GatlingRuns(Path results) {
        this.results = results;
    }

    /**
     * The measured requests of the newest run of {@code simulationClass} that started at or after
     * {@code sinceEpochMillis}, with its directory; empty if there is none.
     */
    Optional<Run> latest(String simulationClass, long sinceEpochMillis) throws IOException {
        Optional<Path> directory = newestDirectory(simulationClass);
        if (directory.isEmpty() || !Files.isRegularFile(directory.get().resolve("simulation.log"))) {
            return Optional.empty();
        }
        String runId = directory.get().getFileName().toString();
        LogFileData data = LogFileReader.apply(runId, results, configuration).read();
        if (!simulationClass.equals(data.runInfo().simulationClassName()) || data.runInfo().runStart() < sinceEpochMillis) {
            return Optional.empty();
        }
        Option<String> request = Option.apply(ScenarioSimulation.MEASURED);
        Option<GeneralStats> all = data.requestGeneralStats(request, Option.empty(), Option.empty());
        Option<GeneralStats> ok = data.requestGeneralStats(request, Option.empty(), Option.<Status>apply(OK$.MODULE$));
        RunSummary.Measured measured = all.isEmpty() ? new RunSummary.Measured(0, 0, 0, 0)
                : new RunSummary.Measured(all.get().count(), ok.isEmpty() ? 0 : ok.get().count(),
                        percentile(all.get(), 50), percentile(all.get(), 99));
        return Optional.of(new Run(directory.get(), measured));
    }

    /** @param directory the run's folder, holding {@code index.html} */
    record Run(Path directory, RunSummary.Measured measured) {
    }

    /** Gatling names a run's folder after the simulation's simple name, lower-cased, then a UTC timestamp. */
    private Optional<Path> newestDirectory(String simulationClass) throws IOException {
        if (!Files.isDirectory(results)) {
            return Optional.empty();
        }
        String prefix = simulationClass.substring(simulationClass.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) + "-";
        try (Stream<Path> runs = Files.list(results)) {
            return runs.filter(Files::isDirectory)
                    .filter(run -> run.getFileName().toString().startsWith(prefix))
                    .max(Comparator.comparing(run -> run.getFileName().toString()));
        }
    }

    private static int percentile(GeneralStats stats, double rank) {
        return (Integer) stats.percentile().apply(rank);
    }
}
