package dev.namegate.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The closed-loop sweep as a PNG of two panels over the same connections axis (log 2): correct
 * answers per second of each target above, its p50 (solid) and p99 (dashed) in ms (log 10) below,
 * each the mean over the sweep's rounds ({@link ClosedLoopMean}). Rendered headless.
 */
final class ClosedLoopPlot {

    /** Pixels. */
    static final int WIDTH = 1000;
    static final int HEIGHT = 900;
    /** ColorBrewer's Dark2, one for each target of a full sweep. */
    private static final Color[] COLORS = {new Color(0x1b9e77), new Color(0xd95f02), new Color(0x7570b3),
            new Color(0xe7298a), new Color(0x66a61e), new Color(0xe6ab02)};
    /** A latency of 0 (no answer) cannot sit on a log axis. */
    private static final double SMALLEST_MILLIS = 0.001;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ClosedLoopPlot() {
    }

    /** Writes the plot of {@code rows} to {@code file} (replacing it) and returns the file. */
    static Path write(List<ClosedLoopRow> rows, Path file) throws IOException {
        return ChartFiles.writePng(chart(rows), WIDTH, HEIGHT, file);
    }

    static JFreeChart chart(List<ClosedLoopRow> rows) {
        List<ClosedLoopMean> means = ClosedLoopMean.of(rows);
        List<ClosedLoopTarget> targets = means.stream().map(ClosedLoopMean::target).distinct().toList();
        XYSeriesCollection throughput = new XYSeriesCollection();
        XYSeriesCollection latency = new XYSeriesCollection();
        XYLineAndShapeRenderer throughputLines = new XYLineAndShapeRenderer(true, true);
        XYLineAndShapeRenderer latencyLines = new XYLineAndShapeRenderer(true, true);
        BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4},
                0);
        for (int t = 0; t < targets.size(); t++) {
            ClosedLoopTarget target = targets.get(t);
            XYSeries correct = new XYSeries(target.label(), true, false);
            XYSeries p50 = new XYSeries(target.label() + " p50", true, false);
            XYSeries p99 = new XYSeries(target.label() + " p99", true, false);
            for (ClosedLoopMean mean : means) {
                if (mean.target() == target) {
                    correct.add(mean.connections(), mean.correctPerSecond());
                    if (!Double.isNaN(mean.p50Millis())) { // without answers there is no latency to draw
                        p50.add(mean.connections(), Math.max(SMALLEST_MILLIS, mean.p50Millis()));
                        p99.add(mean.connections(), Math.max(SMALLEST_MILLIS, mean.p99Millis()));
                    }
                }
            }
            Color color = COLORS[t % COLORS.length];
            throughput.addSeries(correct);
            throughputLines.setSeriesPaint(t, color);
            latency.addSeries(p50);
            latency.addSeries(p99);
            latencyLines.setSeriesPaint(2 * t, color);
            latencyLines.setSeriesPaint(2 * t + 1, color);
            latencyLines.setSeriesStroke(2 * t + 1, dashed);
        }

        NumberAxis perSecond = new NumberAxis("correct answers/s");
        perSecond.setAutoRangeIncludesZero(true);
        XYPlot top = new XYPlot(throughput, null, perSecond, throughputLines);

        LogAxis millis = new LogAxis("latency, ms (log scale): p50 solid, p99 dashed");
        millis.setBase(10);
        millis.setSmallestValue(SMALLEST_MILLIS);
        millis.setTickUnit(new NumberTickUnit(1));
        millis.setNumberFormatOverride(new DecimalFormat("0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        XYPlot bottom = new XYPlot(latency, null, millis, latencyLines);

        LogAxis connections = new LogAxis("connections (log 2)");
        connections.setBase(2);
        connections.setTickUnit(new NumberTickUnit(1));
        connections.setNumberFormatOverride(new DecimalFormat("0", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(connections);
        plot.setGap(12);
        for (XYPlot panel : List.of(top, bottom)) {
            panel.setBackgroundPaint(Color.WHITE);
            panel.setRangeGridlinePaint(Color.LIGHT_GRAY);
            panel.setDomainGridlinePaint(Color.LIGHT_GRAY);
            plot.add(panel, 1);
        }
        JFreeChart chart = new JFreeChart("closed loop (wrk, one thread): throughput and latency against connections",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
