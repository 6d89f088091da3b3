package org.embed4j.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.embed4j.io.AtomicFiles;

/**
 * Draws a training curve as a PNG: one or more y series against a shared x (loss and learning rate
 * against words or steps), each series scaled to its own range (the legend gives the range), on a
 * plain grid. java.desktop's BufferedImage/ImageIO rather than XChart: XChart's automatic module name
 * does not resolve in module-info, and a line plot needs nothing more. Headless-safe: if the JDK has no
 * usable fonts, the plot is drawn without text rather than failing the training run.
 * The file is written atomically ({@link AtomicFiles}): a failed write leaves the old plot. Stateless and thread-safe.
 */
public final class TrainingCurve {
    private static final int W = 900;
    private static final int H = 500;
    private static final int PAD = 60;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
    };

    private TrainingCurve() {}

    /** Writes the plot of {@code ys[i]} (named {@code names[i]}) against {@code x} to {@code png}. */
    public static void write(Path png, String title, String xLabel, double[] x, double[][] ys, String[] names)
            throws IOException {
        if (ys.length != names.length) {
            throw new IllegalArgumentException(ys.length + " series but " + names.length + " names");
        }
        for (double[] y : ys) {
            if (y.length != x.length) {
                throw new IllegalArgumentException(
                        "series of " + y.length + " points against " + x.length + " x values");
            }
        }
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setColor(new Color(0xdddddd));
            for (int i = 0; i <= 10; i++) {
                int gx = PAD + i * (W - 2 * PAD) / 10;
                int gy = PAD + i * (H - 2 * PAD) / 10;
                g.drawLine(gx, PAD, gx, H - PAD);
                g.drawLine(PAD, gy, W - PAD, gy);
            }
            g.setColor(Color.BLACK);
            g.drawRect(PAD, PAD, W - 2 * PAD, H - 2 * PAD);
            double[] xr = range(x);
            g.setStroke(new BasicStroke(2f));
            for (int s = 0; s < ys.length; s++) {
                double[] yr = range(ys[s]);
                g.setColor(COLORS[s % COLORS.length]);
                int px = -1;
                int py = -1;
                for (int i = 0; i < x.length; i++) {
                    if (!Double.isFinite(ys[s][i]) || !Double.isFinite(x[i])) {
                        px = -1;
                        continue;
                    }
                    int cx = PAD + (int) Math.round((x[i] - xr[0]) / (xr[1] - xr[0]) * (W - 2 * PAD));
                    int cy = H - PAD - (int) Math.round((ys[s][i] - yr[0]) / (yr[1] - yr[0]) * (H - 2 * PAD));
                    if (px >= 0) {
                        g.drawLine(px, py, cx, cy);
                    }
                    px = cx;
                    py = cy;
                }
            }
            drawText(g, title, xLabel, xr, ys, names);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer in this JDK, could not write " + png);
            }
        });
    }

    private static void drawText(
            Graphics2D g, String title, String xLabel, double[] xr, double[][] ys, String[] names) {
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.setColor(Color.BLACK);
            g.drawString(title, PAD, PAD - 25);
            g.drawString(xLabel + String.format(Locale.ROOT, "  [%.4g .. %.4g]", xr[0], xr[1]), PAD, H - PAD + 35);
            for (int s = 0; s < ys.length; s++) {
                double[] yr = range(ys[s]);
                g.setColor(COLORS[s % COLORS.length]);
                g.drawString(
                        String.format(Locale.ROOT, "%s [%.4g .. %.4g]", names[s], yr[0], yr[1]),
                        W - PAD - 260,
                        PAD - 25 + 16 * s);
            }
        } catch (RuntimeException | Error e) {
            // no fonts on a bare headless JDK (fontconfig missing): keep the lines, drop the labels
            System.getLogger(TrainingCurve.class.getName())
                    .log(System.Logger.Level.DEBUG, "curve drawn without labels: " + e);
        }
    }

    /** [min, max] of the finite values, widened when flat. */
    private static double[] range(double[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            if (Double.isFinite(d)) {
                lo = Math.min(lo, d);
                hi = Math.max(hi, d);
            }
        }
        if (!(lo <= hi)) {
            return new double[] {0, 1};
        }
        if (hi - lo < 1e-12) {
            return new double[] {lo - 0.5, hi + 0.5};
        }
        return new double[] {lo, hi};
    }
}
