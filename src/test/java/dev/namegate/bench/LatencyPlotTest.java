package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyPlotTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    @Test
    void writesAPngOfThePercentilesOfEveryRow() throws Exception {
        List<Summary> summaries = List.of(
                summary("healthy", 100, 1.2, 4.8, 9.5),
                summary("flaky", 100, 3.1, 38.0, 112.0));

        Path png = LatencyPlot.write(summaries, dir.resolve("bench/latency.png"));

        byte[] bytes = Files.readAllBytes(png);
        assertThat(Arrays.copyOf(bytes, PNG_SIGNATURE.length)).isEqualTo(PNG_SIGNATURE);
        assertThat(bytes.length).isBetween(10_000, 2_000_000);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(LatencyPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LatencyPlot.HEIGHT);
    }

    @Test
    void everyRowIsOneCategoryWithThreePercentilesAndAnEmptyRowIsLeftBlank() {
        List<Summary> summaries = List.of(
                summary("healthy", 100, 1.2, 4.8, 9.5),
                summary("healthy", 200, 1.4, 6.0, 12.0),
                summary("outage", 100, 0, 0, 0));

        var dataset = LatencyPlot.chart(summaries).getCategoryPlot().getDataset();

        assertThat(dataset.getRowKeys()).containsExactly("p50", "p99", "p99.9");
        assertThat(dataset.getColumnKeys()).containsExactly("healthy @ 100/s", "healthy @ 200/s", "outage @ 100/s");
        assertThat(dataset.getValue("p99.9", "healthy @ 200/s")).isEqualTo(12.0);
        assertThat(dataset.getValue("p50", "outage @ 100/s")).isNull();
    }

    private static Summary summary(String scenario, double rate, double p50, double p99, double p999) {
        return new Summary(scenario, "sequence", rate, 1500, 1490, 1480, 6, 4, p50, p99, p999, p999 * 1.5,
                1800, 0, 0.0, Double.NaN, 0.01, 0.05, 0.2);
    }
}
