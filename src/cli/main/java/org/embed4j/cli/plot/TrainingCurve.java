package org.embed4j.cli.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Training curves as one PNG of stacked panels that share the x quantity (words trained, epoch): each panel has its
 * own y axis with ticks and values (loss, learning rate, words/s, accuracy are different units, so they never share
 * an axis), the x title sits under the bottom panel. Lines for dense series; lines with point markers when a panel
 * has few points (one per epoch). Non-finite values (a loss before the first step) are left out.
 * Stateless and thread-safe.
 */
public final class TrainingCurve {
    static final int WIDTH = 900;
    static final int PANEL_HEIGHT = 290;
    private static final int FEW_POINTS = 40;

    private TrainingCurve() {}

    /** One line: {@code y} against {@code x}, named in the legend. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException(
                        "series \"" + name + "\" has " + y.length + " values against " + x.length + " x values");
            }
        }

        /**
         * The series {@code yKey} against {@code xKey} from metrics records, taking the records where both are
         * numbers.
         */
        public static Series of(String name, List<Map<String, Object>> records, String xKey, String yKey) {
            List<double[]> points = new ArrayList<>();
            for (Map<String, Object> r : records) {
                if (r.get(xKey) instanceof Number x && r.get(yKey) instanceof Number y) {
                    points.add(new double[] {x.doubleValue(), y.doubleValue()});
                }
            }
            double[] xs = new double[points.size()];
            double[] ys = new double[points.size()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = points.get(i)[0];
                ys[i] = points.get(i)[1];
            }
            return new Series(name, xs, ys);
        }

        /** The same series scaled: {@code y * factor} (a fraction as a percentage). */
        public Series times(double factor) {
            double[] ys = y.clone();
            for (int i = 0; i < ys.length; i++) {
                ys[i] *= factor;
            }
            return new Series(name, x, ys);
        }

        /**
         * The centred moving average over {@code window} points (ends use what they have), named {@code name}: the
         * trend of a noisy loss.
         */
        public Series smoothed(String name, int window) {
            int half = Math.max(1, window) / 2;
            double[] ys = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                double sum = 0;
                int n = 0;
                for (int j = Math.max(0, i - half); j <= Math.min(y.length - 1, i + half); j++) {
                    if (Double.isFinite(y[j])) {
                        sum += y[j];
                        n++;
                    }
                }
                ys[i] = n == 0 ? Double.NaN : sum / n;
            }
            return new Series(name, x, ys);
        }

        /** The points where both coordinates are finite. */
        Series finite() {
            int n = 0;
            for (int i = 0; i < x.length; i++) {
                n += Double.isFinite(x[i]) && Double.isFinite(y[i]) ? 1 : 0;
            }
            double[] xs = new double[n];
            double[] ys = new double[n];
            for (int i = 0, k = 0; i < x.length; i++) {
                if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                    xs[k] = x[i];
                    ys[k++] = y[i];
                }
            }
            return new Series(name, xs, ys);
        }
    }

    /** One panel: its y axis title (with the unit) and its lines. */
    public record Panel(String yTitle, List<Series> series) {}

    /**
     * Writes the panels, top to bottom, as one PNG.
     *
     * @param title over the top panel
     * @param xTitle under the bottom panel (with the unit)
     */
    public static void write(Path png, String title, String xTitle, List<Panel> panels) throws IOException {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("a training curve needs at least one panel");
        }
        List<XYChart> charts = new ArrayList<>();
        for (int i = 0; i < panels.size(); i++) {
            charts.add(panel(panels.get(i), i == 0 ? title : null, i == panels.size() - 1 ? xTitle : null));
        }
        Charts.writePng(png, charts);
    }

    private static XYChart panel(Panel p, String title, String xTitle) {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(PANEL_HEIGHT
                        + (title != null ? 30 : 0)
                        + (xTitle != null ? 25 : 0)
                        + (p.series().size() > 1 ? 35 : 0))
                .title(title == null ? "" : title)
                .xAxisTitle(xTitle == null ? "" : xTitle)
                .yAxisTitle(p.yTitle())
                .build();
        Charts.style(chart.getStyler());
        chart.getStyler().setChartTitleVisible(title != null);
        chart.getStyler().setXAxisTitleVisible(xTitle != null);
        chart.getStyler().setXAxisTickLabelsFormattingFunction(Charts::axisNumber);
        chart.getStyler().setYAxisTickLabelsFormattingFunction(Charts::axisNumber);
        chart.getStyler().setYAxisLeftWidthHint(70); // the panels' plots line up whatever their tick labels
        chart.getStyler().setLegendVisible(p.series().size() > 1);
        // under the plot, never over the lines; the plots of all panels keep the same width
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        int drawn = 0;
        for (Series s : p.series()) {
            Series f = s.finite();
            if (f.x().length == 0) {
                continue;
            }
            XYSeries xy = chart.addSeries(s.name(), f.x(), f.y());
            xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            xy.setMarker(f.x().length <= FEW_POINTS ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            drawn++;
        }
        if (drawn == 0) {
            chart.setYAxisTitle(p.yTitle() + " (no values logged)");
            chart.addSeries(" ", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }
}
