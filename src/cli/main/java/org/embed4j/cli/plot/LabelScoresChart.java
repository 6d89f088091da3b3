package org.embed4j.cli.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.classify.ClassifierMetrics;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;

/**
 * Precision, recall and F1 of each label as grouped bars (XChart), labels along the bottom with their support
 * ("LOC (n=81)"), the scores on a 0 to 1 axis; the values are printed on the bars when there are few labels.
 * Stateless; each call builds its own chart.
 */
public final class LabelScoresChart {
    private LabelScoresChart() {}

    /** The chart for the per-label scores in {@code m}. */
    public static CategoryChart of(String title, ClassifierMetrics m) {
        List<String> names = new ArrayList<>();
        List<Double> precision = new ArrayList<>();
        List<Double> recall = new ArrayList<>();
        List<Double> f1 = new ArrayList<>();
        for (int c = 0; c < m.labels().size(); c++) {
            names.add(m.labels().get(c) + " (n=" + m.support(c) + ")");
            precision.add(finite(m.precision(c)));
            recall.add(finite(m.recall(c)));
            f1.add(finite(m.f1(c)));
        }
        int n = names.size();
        CategoryChart chart = new CategoryChartBuilder()
                .width(Math.max(800, 150 + 70 * n))
                .height(520)
                .title(title)
                .xAxisTitle("label (test examples)")
                .yAxisTitle("score")
                .build();
        CategoryStyler s = chart.getStyler();
        Charts.style(s);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setYAxisMin(0.0);
        s.setYAxisMax(1.0);
        s.setYAxisDecimalPattern("0.##"); // the ticks (0.1, 0.2) and the values on the bars (0.88) alike
        s.setAvailableSpaceFill(0.8);
        s.setOverlapped(false);
        s.setXAxisLabelRotation(n > 8 ? 45 : 0);
        s.setLabelsVisible(n <= 8);
        s.setLabelsFont(Charts.TICKS.deriveFont(10f));
        s.setLabelsPosition(0.98);
        chart.addSeries("precision", names, precision);
        chart.addSeries("recall", names, recall);
        chart.addSeries("F1", names, f1);
        return chart;
    }

    /** Writes the chart for {@code m} as a PNG. */
    public static void write(Path png, String title, ClassifierMetrics m) throws IOException {
        Charts.writePng(png, of(title, m));
    }

    /** A score that is undefined (no predictions of the label: precision 0/0) is drawn as 0. */
    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }
}
