package dev.namegate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

/** Where the benchmark's plots go: one PNG file each. */
final class ChartFiles {

    private ChartFiles() {
    }

    /** Writes {@code chart} as a PNG of the given size to {@code file} (replacing it) and returns the file. */
    static Path writePng(JFreeChart chart, int width, int height, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Files.createDirectories(file.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
        return file;
    }
}
