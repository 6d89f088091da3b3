package org.embed4j.cli.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler;

/**
 * A confusion matrix as a heat map (XChart): gold labels down the left, first label at the top; predicted labels
 * along the bottom; each cell coloured by its share of the gold row (so a small class's errors show as clearly as a
 * big one's) and printed with its count, white on the dark cells. The colour legend runs from 0 to 1.
 *
 * <p>XChart's heat map prints one number per cell, the one that also sets its colour; the counts are drawn after the
 * chart, into the cells that XChart laid out (its plot bounds and content margin), so that colour and text can
 * differ. Not thread-safe (an XChart chart); build one per picture.
 */
public final class ConfusionChart extends HeatMapChart {
    private static final Color LIGHT = Color.WHITE;
    private static final Color DARK = new Color(0x08306B);

    private final long[][] counts;

    /** @param counts {@code counts[gold][predicted]}, square, one row and column per label */
    public ConfusionChart(String title, List<String> labels, long[][] counts) {
        super(size(labels) + 160, size(labels) + 120, Styler.ChartTheme.XChart);
        int n = labels.size();
        if (n == 0 || counts.length != n) {
            throw new IllegalArgumentException(
                    "confusion matrix has " + counts.length + " rows for " + n + " labels (need one per label)");
        }
        this.counts = new long[n][];
        for (int g = 0; g < n; g++) {
            if (counts[g].length != n) {
                throw new IllegalArgumentException(
                        "confusion matrix row " + g + " has " + counts[g].length + " columns, expected " + n);
            }
            this.counts[g] = counts[g].clone();
        }
        setTitle(title);
        setXAxisTitle("predicted (colour: share of the gold row)");
        setYAxisTitle("gold");
        HeatMapStyler s = getStyler();
        Charts.style(s);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setRangeColors(new Color[] {LIGHT, new Color(0x6BAED6), DARK});
        s.setMin(0);
        s.setMax(1);
        s.setShowValue(false);
        s.setPlotGridLinesVisible(false);
        s.setXAxisLabelRotation(rotate(labels) ? 45 : 0);
        s.setXAxisTickMarkSpacingHint(10); // XChart thins out labels closer than its hint: keep every label
        s.setYAxisTickMarkSpacingHint(10);
        List<String> gold = new ArrayList<>(labels).reversed(); // the heat map's y runs upwards
        List<Number[]> cells = new ArrayList<>();
        for (int g = 0; g < n; g++) {
            long row = 0;
            for (long c : counts[g]) {
                row += c;
            }
            for (int p = 0; p < n; p++) {
                double share = row == 0 ? 0 : counts[g][p] / (double) row;
                cells.add(new Number[] {p, n - 1 - g, share});
            }
        }
        addSeries("share of the gold row", labels, gold, cells);
    }

    /** Writes the chart as a PNG. */
    public void write(Path png) throws IOException {
        Charts.writePng(png, this);
    }

    /** Side of the cell grid in pixels: at least 40 a label, at least 480 in all. */
    private static int size(List<String> labels) {
        return Math.max(480, 40 * labels.size());
    }

    private static boolean rotate(List<String> labels) {
        int longest = labels.stream().mapToInt(String::length).max().orElse(0);
        return longest * labels.size() > 60;
    }

    @Override
    public void paint(Graphics2D g, int width, int height) {
        super.paint(g, width, height);
        int n = counts.length;
        Rectangle2D first = cell(0, 0);
        int size = (int) Math.max(9, Math.min(16, Math.min(first.getWidth() / 3.2, first.getHeight() / 2.2)));
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
        FontMetrics fm = g.getFontMetrics();
        for (int gi = 0; gi < n; gi++) {
            long row = 0;
            for (long c : counts[gi]) {
                row += c;
            }
            for (int p = 0; p < n; p++) {
                String text = Long.toString(counts[gi][p]);
                double share = row == 0 ? 0 : counts[gi][p] / (double) row;
                g.setColor(counts[gi][p] == 0 ? new Color(0xAAAAAA) : share > 0.5 ? Color.WHITE : Color.BLACK);
                Rectangle2D c = cell(gi, p);
                g.drawString(text, (float) (c.getCenterX() - fm.stringWidth(text) / 2.0), (float)
                        (c.getCenterY() + (fm.getAscent() - fm.getDescent()) / 2.0));
            }
        }
    }

    /**
     * Where the cell of gold label {@code gold} and predicted label {@code predicted} is, in pixels, once the chart
     * has been painted: XChart's plot area less its content margin ({@code plotContentSize}), cut in N×N.
     */
    Rectangle2D cell(int gold, int predicted) {
        int n = counts.length;
        Rectangle2D area = plot.getBounds();
        double content = getStyler().getPlotContentSize();
        double w = content * area.getWidth() / n;
        double h = content * area.getHeight() / n;
        double left = area.getX() + (area.getWidth() - content * area.getWidth()) / 2;
        double top = area.getY() + (area.getHeight() - content * area.getHeight()) / 2;
        return new Rectangle2D.Double(left + predicted * w, top + gold * h, w, h);
    }
}
