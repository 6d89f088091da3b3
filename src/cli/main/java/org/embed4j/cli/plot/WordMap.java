package org.embed4j.cli.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A 2-D map of words (XChart scatter): one point per word, coloured by group (the query word it is near), query
 * words as diamonds, every point labelled with its word. The labels are placed by {@link LabelLayout} in the pixel
 * space of the laid-out chart (the chart is laid out once off screen to learn where each point lands), drawn as
 * XChart text annotations, with a grey leader line to any label that had to move away from its point.
 * Not thread-safe while building; each call builds its own chart.
 */
public final class WordMap {
    static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final int MARKER = 6;
    private static final Color LEADER = new Color(0xAAAAAA);

    private WordMap() {}

    /** One word at (x, y); {@code group} indexes the group names; {@code query}: the word the group is near. */
    public record Point(String word, double x, double y, int group, boolean query) {}

    /** The picture's axes: titles, and whether their values mean anything (PCA) or not (t-SNE). */
    public record Axes(String xTitle, String yTitle, boolean values) {}

    /** A picture about {@code 6000} square pixels a word (labels need room), 4:3, between 1200 and 3000 wide. */
    public static int defaultWidth(int points) {
        return (int) Math.max(1200, Math.min(3000, Math.round(Math.sqrt(points * 6000.0 * 4 / 3))));
    }

    /** Writes the map of {@code points} as a PNG of {@code width}×{@code height} pixels. */
    public static void write(
            Path png, String title, List<Point> points, List<String> groups, Axes axes, int width, int height)
            throws IOException {
        Charts.writePng(png, chart(title, points, groups, axes, width, height));
    }

    /** The chart, labels placed. */
    public static XYChart chart(
            String title, List<Point> points, List<String> groups, Axes axes, int width, int height) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a word map needs at least one word");
        }
        MapChart chart = new MapChart(width, height);
        chart.setTitle(title);
        chart.setXAxisTitle(axes.xTitle());
        chart.setYAxisTitle(axes.yTitle());
        XYStyler s = chart.getStyler();
        Charts.style(s);
        s.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarkerSize(MARKER);
        s.setAnnotationTextFont(LABEL_FONT);
        s.setAnnotationTextFontColor(new Color(0x222222));
        s.setLegendVisible(groups.size() > 1);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setAxisTicksVisible(axes.values());
        s.setXAxisTickLabelsFormattingFunction(Charts::axisNumber);
        s.setYAxisTickLabelsFormattingFunction(Charts::axisNumber);
        s.setPlotGridLinesVisible(axes.values());
        fixRanges(s, points);
        addSeries(chart, points, groups);
        // lay the chart out once to learn where the points land, then place the labels in pixels
        BufferedImage scratch = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            chart.paint(g, width, height);
            addLabels(chart, points, g.getFontMetrics(LABEL_FONT), height);
        } finally {
            g.dispose();
        }
        return chart;
    }

    /** Axis ranges fixed to the data plus a margin, so that adding leader lines cannot move anything. */
    private static void fixRanges(XYStyler s, List<Point> points) {
        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (Point p : points) {
            x0 = Math.min(x0, p.x());
            x1 = Math.max(x1, p.x());
            y0 = Math.min(y0, p.y());
            y1 = Math.max(y1, p.y());
        }
        double mx = Math.max(1e-9, (x1 - x0) * 0.06);
        double my = Math.max(1e-9, (y1 - y0) * 0.06);
        s.setXAxisMin(x0 - mx);
        s.setXAxisMax(x1 + mx);
        s.setYAxisMin(y0 - my);
        s.setYAxisMax(y1 + my);
    }

    private static void addSeries(XYChart chart, List<Point> points, List<String> groups) {
        for (int gi = 0; gi < Math.max(1, groups.size()); gi++) {
            for (boolean query : new boolean[] {false, true}) {
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (Point p : points) {
                    if (p.group() == gi && p.query() == query) {
                        xs.add(p.x());
                        ys.add(p.y());
                    }
                }
                if (xs.isEmpty()) {
                    continue;
                }
                String name = groups.isEmpty() ? "words" : groups.get(gi);
                XYSeries series = chart.addSeries(query ? name + " (query)" : name, xs, ys);
                Color color = Charts.PALETTE[gi % Charts.PALETTE.length];
                series.setMarkerColor(color);
                series.setMarker(query ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
                series.setShowInLegend(!query);
            }
        }
    }

    private static void addLabels(MapChart chart, List<Point> points, FontMetrics fm, int height) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).query()) {
                order.add(i);
            }
        }
        for (int i = 0; i < points.size(); i++) {
            if (!points.get(i).query()) {
                order.add(i);
            }
        }
        int n = points.size();
        double[] px = new double[n];
        double[] py = new double[n];
        double[] w = new double[n];
        double[] h = new double[n];
        for (int k = 0; k < n; k++) {
            Point p = points.get(order.get(k));
            px[k] = chart.getScreenXFromChart(p.x());
            py[k] = chart.getScreenYFromChart(p.y());
            w[k] = fm.stringWidth(p.word()) + 2;
            h[k] = fm.getAscent() + fm.getDescent();
        }
        Rectangle2D area = chart.plotArea();
        List<LabelLayout.Placement> placed = LabelLayout.place(
                px,
                py,
                w,
                h,
                MARKER / 2.0 + 1,
                new LabelLayout.Box(area.getX(), area.getY(), area.getWidth(), area.getHeight()));
        int leaders = 0;
        for (int k = 0; k < n; k++) {
            LabelLayout.Box b = placed.get(k).box();
            if (placed.get(k).leader()) {
                double ex = Math.max(b.x(), Math.min(px[k], b.x() + b.w()));
                double ey = Math.max(b.y(), Math.min(py[k], b.y() + b.h()));
                XYSeries line = chart.addSeries(
                        "leader " + leaders++,
                        new double[] {points.get(order.get(k)).x(), chart.getChartXFromCoordinate((int) ex)},
                        new double[] {points.get(order.get(k)).y(), chart.getChartYFromCoordinate((int) ey)});
                line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                line.setMarker(SeriesMarkers.NONE);
                line.setLineColor(LEADER);
                line.setLineWidth(0.8f);
                line.setShowInLegend(false);
            }
            chart.addAnnotation(
                    new AnnotationText(points.get(order.get(k)).word(), b.centerX(), height - b.centerY(), true));
        }
    }

    /** An XYChart that tells where its plot area is once painted. */
    private static final class MapChart extends XYChart {
        MapChart(int width, int height) {
            super(width, height, Styler.ChartTheme.XChart);
        }

        Rectangle2D plotArea() {
            return plot.getBounds();
        }
    }
}
