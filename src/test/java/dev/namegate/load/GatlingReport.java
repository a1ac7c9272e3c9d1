package dev.namegate.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The figures of one Gatling run as its HTML report shows them: one request's row of the
 * statistics table and the assertions' verdicts. Gatling 3.15 writes no machine-readable stats
 * file, and its percentiles are estimates that differ slightly each time the run's log is read
 * again, so the summary takes the report's own numbers: they are what a reader of the report
 * sees, and the ones Gatling's assertions were judged on.
 *
 * @param measured     the request's row, or empty when the report has no such request
 * @param assertions   every assertion's text and whether it held
 */
record GatlingReport(Optional<RunSummary.Measured> measured, List<Assertion> assertions) {

    /** @param held Gatling's verdict (OK) */
    record Assertion(String text, boolean held) {
    }

    private static final Pattern HEADER = Pattern.compile("<th id=\"(col-\\d+)\"[^>]*>\\s*<span>([^<]+)</span>");
    private static final Pattern ROW = Pattern.compile("<tr id=\"req_[^\"]*\"[^>]*>(.*?)</tr>", Pattern.DOTALL);
    private static final Pattern NAME = Pattern.compile("class=\"ellipsed-name\">([^<]*)</span>");
    private static final Pattern CELL = Pattern.compile("<td class=\"value [a-z ]*?(col-\\d+)\">([^<]*)</td>");
    private static final Pattern ASSERTION = Pattern.compile(
            "<td class=\"error-col-1[^\"]*\">\\s*([^<]*?)\\s*<span.*?<td class=\"error-col-2[^\"]*\">(OK|KO)</td>",
            Pattern.DOTALL);

    GatlingReport {
        assertions = List.copyOf(assertions);
    }

    /** Every assertion held, and there was at least one. */
    boolean assertionsHeld() {
        return !assertions.isEmpty() && assertions.stream().allMatch(Assertion::held);
    }

    /**
     * @param request the request's name, e.g. {@link ScenarioSimulation#MEASURED}
     * @throws IllegalArgumentException when the page does not look like a Gatling 3.15 report
     */
    static GatlingReport parse(String html, String request) {
        Map<String, String> columns = new HashMap<>();
        Matcher header = HEADER.matcher(html);
        while (header.find()) {
            columns.put(header.group(2).trim(), header.group(1));
        }
        List<String> needed = List.of("Total", "OK", "50th pct", "99th pct");
        if (!columns.keySet().containsAll(needed)) {
            throw new IllegalArgumentException("no statistics table with " + needed + " (columns found: "
                    + columns.keySet() + "); has the report's format changed?");
        }
        Optional<RunSummary.Measured> measured = Optional.empty();
        Matcher row = ROW.matcher(html);
        while (row.find() && measured.isEmpty()) {
            Matcher name = NAME.matcher(row.group(1));
            if (name.find() && name.group(1).equals(request)) {
                Map<String, String> cells = new HashMap<>();
                Matcher cell = CELL.matcher(row.group(1));
                while (cell.find()) {
                    cells.put(cell.group(1), cell.group(2).trim());
                }
                measured = Optional.of(new RunSummary.Measured(
                        Long.parseLong(cells.get(columns.get("Total"))), Long.parseLong(cells.get(columns.get("OK"))),
                        Integer.parseInt(cells.get(columns.get("50th pct"))),
                        Integer.parseInt(cells.get(columns.get("99th pct")))));
            }
        }
        List<Assertion> assertions = new ArrayList<>();
        int table = html.indexOf("id=\"container_assertions\"");
        if (table >= 0) {
            Matcher assertion = ASSERTION.matcher(html.substring(table, html.indexOf("</table>", table)));
            while (assertion.find()) {
                assertions.add(new Assertion(assertion.group(1).trim(), "OK".equals(assertion.group(2))));
            }
        }
        return new GatlingReport(measured, assertions);
    }

    /**
     * The newest report of {@code simulationClass} under {@code results} written at or after
     * {@code sinceEpochMillis}: Gatling names a run's folder after the simulation's simple name,
     * lower-cased, then a timestamp, e.g. {@code flakysimulation-20261126181641918}.
     */
    static Optional<Path> newest(Path results, String simulationClass, long sinceEpochMillis) throws IOException {
        if (!Files.isDirectory(results)) {
            return Optional.empty();
        }
        String prefix = simulationClass.substring(simulationClass.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) + "-";
        try (Stream<Path> runs = Files.list(results)) {
            return runs.filter(run -> run.getFileName().toString().startsWith(prefix))
                    .map(run -> run.resolve("index.html"))
                    .filter(index -> Files.isRegularFile(index) && modifiedMillis(index) >= sinceEpochMillis)
                    .max(Comparator.comparing(index -> index.getParent().getFileName().toString()))
                    .map(Path::getParent);
        }
    }

    static GatlingReport read(Path run, String request) throws IOException {
        return parse(Files.readString(run.resolve("index.html"), StandardCharsets.UTF_8), request);
    }

    private static long modifiedMillis(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException gone) {
            return Long.MIN_VALUE;
        }
    }
}
