package org.embed4j.cli.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.embed4j.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.IChart;
import org.knowm.xchart.style.AxesChartStyler;

/**
 * What every CLI chart shares (XChart): the house style (white, a light grid, DejaVu-sized fonts, a colour-blind
 * friendly palette), number formats for axes, and writing PNGs atomically ({@link AtomicFiles}: a failed write keeps
 * the old picture). Charts are drawn off screen: the class sets {@code java.awt.headless=true} unless the JVM was
 * started with a value. Stateless and thread-safe.
 */
public final class Charts {
    /** Okabe-Ito: readable by people with the common colour-vision deficiencies. */
    static final Color[] PALETTE = {
        new Color(0x0072B2),
        new Color(0xD55E00),
        new Color(0x009E73),
        new Color(0xCC79A7),
        new Color(0xE69F00),
        new Color(0x56B4E9),
        new Color(0xF0E442),
        new Color(0x000000)
    };

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    static final Font AXIS_TITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {}

    /** The house style on any XChart axes chart. */
    static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotBorderColor(new Color(0x888888));
        s.setPlotGridLinesColor(new Color(0xE6E6E6));
        s.setChartTitleFont(TITLE);
        s.setChartTitleBoxVisible(false);
        s.setAxisTitleFont(AXIS_TITLE);
        s.setAxisTickLabelsFont(TICKS);
        s.setLegendFont(LEGEND);
        s.setLegendBorderColor(new Color(0xCCCCCC));
        s.setSeriesColors(PALETTE);
        s.setAntiAlias(true);
        s.setChartPadding(12);
        s.setLocale(Locale.ROOT);
    }

    /** Writes {@code chart} as a PNG at its own size. */
    public static void writePng(Path png, IChart chart) throws IOException {
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this JDK, could not write " + png);
            }
        });
    }

    /** Writes {@code charts} stacked top to bottom into one PNG (each at its own size; all should share a width). */
    public static void writePng(Path png, List<? extends IChart> charts) throws IOException {
        AtomicFiles.write(
                png, out -> BitmapEncoder.saveBitmap(charts, charts.size(), 1, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /** An axis number: 0, 950, 12k, 4.5M, 0.025, 1.2e-05: short, with only the digits a tick needs. */
    static String axisNumber(double v) {
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        }
        if (a >= 1e9) {
            return trim(String.format(Locale.ROOT, "%.2f", v / 1e9)) + "G";
        } else if (a >= 1e6) {
            return trim(String.format(Locale.ROOT, "%.2f", v / 1e6)) + "M";
        } else if (a >= 1e4) {
            return trim(String.format(Locale.ROOT, "%.1f", v / 1e3)) + "k";
        } else if (a >= 1) {
            return trim(String.format(Locale.ROOT, "%.2f", v));
        } else if (a >= 1e-3) {
            return trim(String.format(Locale.ROOT, "%.4f", v));
        }
        return String.format(Locale.ROOT, "%.1e", v);
    }

    private static String trim(String s) {
        if (!s.contains(".")) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
