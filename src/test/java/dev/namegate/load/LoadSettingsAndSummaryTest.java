package dev.namegate.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.namegate.bench.Scenario;
import dev.namegate.bench.Scenarios;

import org.junit.jupiter.api.Test;

import io.gatling.javaapi.core.Simulation;

/** Settings, targets and the summary line of `make load`: everything but the Gatling run itself. */
class LoadSettingsAndSummaryTest {

    @Test
    void settingsDefaultToEveryScenarioAtItsOwnRateAndBlankMeansNotGiven() {
        LoadSettings defaults = LoadSettings.from(Map.of("load.rate", "", "load.service-cpu", " "));
        assertThat(defaults.scenarios()).isEqualTo(Scenarios.all());
        assertThat(defaults.rateOf(Scenarios.named("rate-limited"))).isEqualTo(60.0);
        assertThat(defaults.duration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.warmUp()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.serviceCpu()).isEmpty();

        LoadSettings given = LoadSettings.from(Map.of("load.scenario", "outage, flaky", "load.rate", "200",
                "load.duration", "2.5", "load.warmup", "0", "load.service-cpu", "0"));
        // in the table's order, like `all`
        assertThat(given.scenarios()).extracting(Scenario::name).containsExactly("flaky", "outage");
        assertThat(given.rateOf(Scenarios.named("storm"))).isEqualTo(200.0);
        assertThat(given.duration()).isEqualTo(Duration.ofMillis(2500));
        assertThat(given.warmUp()).isZero();
        assertThat(given.serviceCpu()).hasValue(0);
    }

    @Test
    void aTargetRunsTheDeploymentShapeAloneWhateverScenariosAreNamed() throws Exception {
        assertThat(LoadSettings.from(Map.of("load.target", " ")).runs()).isEqualTo(Scenarios.all());
        LoadSettings deployed = LoadSettings.from(Map.of("load.target", "https://names.example.org/",
                "load.scenario", "flaky"));
        assertThat(deployed.target()).hasValue(java.net.URI.create("https://names.example.org"));
        assertThat(deployed.runs()).extracting(Scenario::name).containsExactly("deployment");
        assertThat(deployed.rateOf(ScenarioSimulation.DEPLOYMENT)).isEqualTo(40.0);
        assertThat(LoadTarget.of("deployment").boundsP99()).isTrue();
        assertThat(Class.forName(ScenarioSimulation.classNameOf("deployment"), false, getClass().getClassLoader()))
                .isEqualTo(DeploymentSimulation.class);
        for (String bad : List.of("names.example.org", "ftp://names.example.org", "https://names.example.org?k=1")) {
            assertThatThrownBy(() -> LoadSettings.from(Map.of("load.target", bad)))
                    .hasMessageContaining("load.target=" + bad);
        }
    }

    @Test
    void badSettingsAreRefusedByPropertyName() {
        assertThatThrownBy(() -> LoadSettings.from(Map.of("load.scenario", "flaky,nope")))
                .hasMessageContaining("load.scenario=flaky,nope").hasMessageContaining("known: healthy");
        assertThatThrownBy(() -> LoadSettings.from(Map.of("load.rate", "-5"))).hasMessageContaining("load.rate=-5");
        assertThatThrownBy(() -> LoadSettings.from(Map.of("load.duration", "0"))).hasMessageContaining("load.duration");
        assertThatThrownBy(() -> LoadSettings.from(Map.of("load.duration", "15s")))
                .hasMessageContaining("load.duration=15s");
    }

    @Test
    void everyScenarioHasATargetAndASimulationNamedAfterIt() throws Exception {
        for (Scenario scenario : Scenarios.all()) {
            assertThat(LoadTarget.of(scenario.name()).share()).as(scenario.name()).isBetween(0.99, 1.0);
            // not initialised: constructing a simulation reads the settings and builds Gatling's DSL
            Class<?> simulation = Class.forName(ScenarioSimulation.classNameOf(scenario.name()), false,
                    getClass().getClassLoader());
            assertThat(simulation).isAssignableTo(ScenarioSimulation.class).isAssignableTo(Simulation.class);
        }
        assertThat(ScenarioSimulation.classNameOf("bad-instances")).isEqualTo("dev.namegate.load.BadInstancesSimulation");
    }

    @Test
    void targetsFromNinetyNinePercentAlsoBoundTheP99() {
        assertThat(LoadTarget.of("rate-limited").percent()).isCloseTo(99.0, within(1e-9));
        assertThat(LoadTarget.of("rate-limited").boundsP99()).isTrue();
        assertThat(new LoadTarget(0.95).boundsP99()).isFalse();
        assertThatThrownBy(() -> new LoadTarget(1.5)).hasMessageContaining("share");
        assertThatThrownBy(() -> LoadTarget.of("nope")).hasMessageContaining("nope");
    }

    @Test
    void theReportGivesTheMeasuredRequestsRowAndGatlingsVerdicts() throws Exception {
        // a real Gatling 3.15.1 report of a flaky run on a busy machine, trimmed to what is read
        String html = new String(getClass().getResourceAsStream("gatling-report-index.html").readAllBytes(),
                StandardCharsets.UTF_8);
        GatlingReport report = GatlingReport.parse(html, ScenarioSimulation.MEASURED);
        assertThat(report.measured()).hasValue(new RunSummary.Measured(1000, 755, 7, 163));
        assertThat(report.assertions()).extracting(GatlingReport.Assertion::text).containsExactly(
                "lookup: percentage of successful events is greater than or equal to 99.5",
                "lookup: 99th percentile of response time is less than 100.0");
        assertThat(report.assertionsHeld()).isFalse();
        // the warm-up has its own row, which the summary never reads
        assertThat(GatlingReport.parse(html, ScenarioSimulation.WARM_UP).measured().orElseThrow().requests())
                .isNotEqualTo(1000);

        GatlingReport held = GatlingReport.parse(html.replace(">KO</td>", ">OK</td>"), ScenarioSimulation.MEASURED);
        assertThat(held.assertionsHeld()).isTrue();
        assertThat(GatlingReport.parse(html, "no-such-request").measured()).isEmpty();
        assertThatThrownBy(() -> GatlingReport.parse("<html>not a report</html>", ScenarioSimulation.MEASURED))
                .hasMessageContaining("format");
    }

    @Test
    void theSummaryLineShowsTheMeasuredPhaseAgainstTheTarget() {
        RunSummary passed = new RunSummary("flaky", 200, LoadTarget.of("flaky"),
                Optional.of(new RunSummary.Measured(3000, 2994, 6, 51)), true, Optional.of(Path.of("target/gatling/x")));
        assertThat(passed.passed()).isTrue();
        assertThat(passed.line()).startsWith("flaky").contains(" 200/s", "3000 requests", "99.80% correct ≤100 ms",
                "p50   6 ms", "p99   51 ms", "target ≥99.5%, p99 <100 ms").endsWith("PASS");

        RunSummary tooFew = new RunSummary("rate-limited", 60, LoadTarget.of("rate-limited"),
                Optional.of(new RunSummary.Measured(900, 887, 15, 84)), false, Optional.empty());
        assertThat(tooFew.line()).contains("98.56% correct", "target ≥99%").endsWith("FAIL");

        assertThat(new RunSummary("outage", 100, LoadTarget.of("outage"),
                Optional.of(new RunSummary.Measured(0, 0, 0, 0)), true, Optional.empty()).passed())
                .as("no measured request proves nothing").isFalse();
        RunSummary notRun = RunSummary.notRun("storm", 80, LoadTarget.of("storm"));
        assertThat(notRun.line()).contains("storm", "no report").endsWith("FAIL");
        assertThatThrownBy(() -> new RunSummary.Measured(10, 11, 1, 1)).hasMessageContaining("correct");
    }
}
