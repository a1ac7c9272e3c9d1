package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The startup harness's options, statistics and table: everything but the launches themselves. */
class StartupReportTest {

    @Test
    void aSpreadIsTheMedianWithTheRangeAndIgnoresUnknownRuns() {
        StartupReport.Spread odd = StartupReport.Spread.of(List.of(3100.0, 2900.0, Double.NaN, 4200.0));
        assertThat(odd).isEqualTo(new StartupReport.Spread(3100, 2900, 4200));
        assertThat(odd.format()).isEqualTo("3100 (2900–4200)");

        assertThat(StartupReport.Spread.of(List.of(10.0, 40.0, 20.0, 30.0)).median()).isEqualTo(25.0);
        assertThat(StartupReport.Spread.of(List.of(212.4)).format()).isEqualTo("212");
        assertThat(StartupReport.Spread.of(List.of(Double.NaN)).format()).isEqualTo("–");
        assertThat(StartupReport.Spread.of(List.of()).format()).isEqualTo("–");
    }

    @Test
    void aRowHasTheHeadersColumnsAndOneCellPerMeasure() {
        StartupReport.Row row = new StartupReport.Row("cds", "extracted jar + CDS archive", "17.0.15", List.of(
                new StartupSample(2800, 7700, 4100, 230, 270, 2500),
                new StartupSample(3000, 7900, 4300, 240, 280, Double.NaN)));

        String header = StartupReport.header().lines().findFirst().orElseThrow();
        assertThat(columns(row.markdown())).isEqualTo(columns(header));
        assertThat(row.markdown()).isEqualTo(
                "| cds | extracted jar + CDS archive | 17.0.15 | 2 | 2900 (2800–3000) | 4200 (4100–4300) | 2500 | 7800 (7700–7900) "
                        + "| 235 (230–240) | 275 (270–280) |");
        assertThat(StartupReport.markdown(List.of(row), List.of("note"))).startsWith(StartupReport.header())
                .endsWith(row.markdown() + "\n\nnote\n");
    }

    @Test
    void springBootsStartedLineGivesTheJvmUptime() {
        assertThat(StartupSample.startedMillis("2026-11-26T18:02:34.380Z  INFO 22637 --- [namegate] [main] "
                + "dev.namegate.NamegateApplication : Started NamegateApplication in 2.27 seconds (process running for 2.513)"))
                .hasValue(2513.0);
        assertThat(StartupSample.startedMillis("Netty started on port 46295 (http)")).isEmpty();
    }

    @Test
    void optionsRunEveryVariantTheMachineCanAndRefuseTheOthersByName() {
        StartupOptions without25 = StartupOptions.parse(Optional.empty());
        assertThat(without25.variants()).containsExactly("jar", "extracted", "cds", "cds-warm");
        assertThat(without25.runs()).isEqualTo(5);
        assertThat(without25.pollInterval()).isEqualTo(Duration.ofMillis(10));

        Path jdk = Path.of("/opt/jdk-25");
        StartupOptions with25 = StartupOptions.parse(Optional.of(jdk), "--runs=3", "--jvm-args=-XX:+UseSerialGC -Xmx300m",
                "--service-args=--namegate.warmup.requests=0");
        assertThat(with25.variants()).containsExactly("jar", "extracted", "cds", "cds-warm", "extracted-25", "aot-25",
                "aot-25-warm");
        assertThat(with25.jdk25()).hasValue(jdk);
        assertThat(with25.runs()).isEqualTo(3);
        assertThat(with25.jvmArgs()).containsExactly("-XX:+UseSerialGC", "-Xmx300m");
        assertThat(with25.serviceArgs()).containsExactly("--namegate.warmup.requests=0");

        assertThat(StartupOptions.parse(Optional.of(jdk), "--jdk25=none").variants())
                .containsExactly("jar", "extracted", "cds", "cds-warm");
        assertThat(StartupOptions.parse(Optional.of(jdk), "--variants=cds,aot-25").variants()).containsExactly("cds", "aot-25");
        assertThatThrownBy(() -> StartupOptions.parse(Optional.empty(), "--variants=aot-25")).hasMessageContaining("--jdk25");
        assertThatThrownBy(() -> StartupOptions.parse(Optional.empty(), "--variants=graal")).hasMessageContaining("graal");
        assertThatThrownBy(() -> StartupOptions.parse(Optional.empty(), "--runs=0")).hasMessageContaining("--runs");
        assertThatThrownBy(() -> StartupOptions.parse(Optional.empty(), "--fast")).hasMessageContaining("--fast");
    }

    private static long columns(String line) {
        return line.chars().filter(c -> c == '|').count();
    }
}
