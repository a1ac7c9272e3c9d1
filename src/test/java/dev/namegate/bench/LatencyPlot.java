package dev.namegate.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The benchmark's latency percentiles as a PNG: for each results row (scenario and rate), its
 * p50, p99 and p99.9 as points on a logarithmic millisecond axis, with the 100 ms promise drawn
 * across. Rendered headless (no display needed).
 */
final class LatencyPlot {

    /** Pixels. */
    static final int WIDTH = 1100;
    static final int HEIGHT = 600;
    /** The promise every answer is held to. */
    static final double SLO_MILLIS = 100;
    /** Latencies at or below zero (no requests) cannot sit on a log axis; they are left out. */
    private static final double SMALLEST_MILLIS = 0.01;

    static {
        // Before any AWT class looks at it: a benchmark machine or CI runner has no display.
        System.setProperty("java.awt.headless", "true");
    }

    private LatencyPlot() {
    }

    /** Writes the plot of {@code summaries}, in their order, to {@code file} (replacing it) and returns the file. */
    static Path write(List<Summary> summaries, Path file) throws IOException {
        return ChartFiles.writePng(chart(summaries), WIDTH, HEIGHT, file);
    }

    static JFreeChart chart(List<Summary> summaries) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        double lowest = SLO_MILLIS;
        double highest = SLO_MILLIS;
        for (int i = 0; i < summaries.size(); i++) {
            Summary summary = summaries.get(i);
            String row = label(summary, summaries, i);
            double[] values = {summary.p50Millis(), summary.p99Millis(), summary.p999Millis()};
            String[] names = {"p50", "p99", "p99.9"};
            for (int p = 0; p < values.length; p++) {
                boolean plottable = values[p] >= SMALLEST_MILLIS && Double.isFinite(values[p]);
                dataset.addValue(plottable ? Double.valueOf(values[p]) : null, names[p], row);
                if (plottable) {
                    lowest = Math.min(lowest, values[p]);
                    highest = Math.max(highest, values[p]);
                }
            }
        }

        LogAxis millis = new LogAxis("latency, ms (log scale)");
        millis.setBase(10);
        millis.setSmallestValue(SMALLEST_MILLIS);
        // One tick per decade, as plain milliseconds (0.1, 1, 10, 100) rather than powers of ten.
        millis.setTickUnit(new NumberTickUnit(1));
        millis.setMinorTickMarksVisible(true);
        millis.setMinorTickCount(9);
        millis.setNumberFormatOverride(new DecimalFormat("0.##", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        // Always room for the 100 ms line, and half a decade around the data.
        millis.setRange(lowest / 3, highest * 3);

        CategoryAxis rows = new CategoryAxis("scenario @ offered rate");
        rows.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        rows.setMaximumCategoryLabelLines(2);

        LineAndShapeRenderer points = new LineAndShapeRenderer(false, true);
        points.setSeriesShape(0, new Ellipse2D.Double(-5, -5, 10, 10));
        points.setSeriesShape(1, new Rectangle2D.Double(-5, -5, 10, 10));
        points.setSeriesShape(2, diamond());
        points.setSeriesPaint(0, new Color(0x1b9e77));
        points.setSeriesPaint(1, new Color(0xd95f02));
        points.setSeriesPaint(2, new Color(0x7570b3));

        CategoryPlot plot = new CategoryPlot(dataset, rows, millis, points);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinesVisible(true);
        ValueMarker slo = new ValueMarker(SLO_MILLIS, Color.RED, new BasicStroke(1.5f));
        slo.setLabel("100 ms");
        slo.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        slo.setLabelPaint(Color.RED);
        slo.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        slo.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        plot.addRangeMarker(slo);

        JFreeChart chart = new JFreeChart("namegate latency percentiles per scenario", JFreeChart.DEFAULT_TITLE_FONT,
                plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** {@code flaky @ 100/s} (and the mode when a baseline's); unique even if a row repeats. */
    private static String label(Summary summary, List<Summary> all, int index) {
        boolean service = summary.mode().equals("sequence") || summary.mode().equals("fresh");
        String label = summary.scenario() + " @ " + String.format(Locale.ROOT, "%.0f/s", summary.rate())
                + (service ? "" : " (" + summary.mode() + ")");
        long sameBefore = all.subList(0, index).stream()
                .filter(s -> s.scenario().equals(summary.scenario()) && s.rate() == summary.rate()
                        && s.mode().equals(summary.mode()))
                .count();
        return sameBefore == 0 ? label : label + " #" + (sameBefore + 1);
    }

    private static Shape diamond() {
        Path2D.Double shape = new Path2D.Double();
        shape.moveTo(0, -6);
        shape.lineTo(6, 0);
        shape.lineTo(0, 6);
        shape.lineTo(-6, 0);
        shape.closePath();
        return shape;
    }
}
