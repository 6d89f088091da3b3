package org.embed4j.cli.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;

/** The confusion heat map: colour by share of the gold row (not by count), counts printed in the cells. */
class ClassifierChartsTest {
    @Test
    void cellColourIsTheRowShareAndTheCountIsPrinted() {
        List<String> labels = List.of("big", "small", "none");
        // big: 900 right, 100 wrong (0.9 share on the diagonal); small: 9 right, 1 wrong (also 0.9); none: no examples
        long[][] counts = {{900, 100, 0}, {1, 9, 0}, {0, 0, 0}};
        ConfusionChart chart = new ConfusionChart("t", labels, counts);
        BufferedImage img = BitmapEncoder.getBufferedImage(chart);
        Color bigDiagonal = corner(img, chart.cell(0, 0));
        Color smallDiagonal = corner(img, chart.cell(1, 1));
        assertEquals(bigDiagonal, smallDiagonal, "same share of the row, same colour, whatever the counts");
        assertEquals(Color.WHITE, corner(img, chart.cell(0, 2)), "no predictions: white");
        assertTrue(luminance(corner(img, chart.cell(1, 0))) > luminance(bigDiagonal) + 100, "0.1 is far lighter");
        // the count "900" in white on the dark diagonal cell: white pixels inside it
        Rectangle2D c = chart.cell(0, 0);
        int white = 0;
        for (int y = (int) c.getY() + 2; y < c.getMaxY() - 2; y++) {
            for (int x = (int) c.getX() + 2; x < c.getMaxX() - 2; x++) {
                white += luminance(new Color(img.getRGB(x, y))) > 200 ? 1 : 0;
            }
        }
        assertTrue(white > 20, white + " light pixels of text in the dark cell");
        assertThrows(IllegalArgumentException.class, () -> new ConfusionChart("t", labels, new long[][] {{1}}));
    }

    private static Color corner(BufferedImage img, Rectangle2D cell) {
        return new Color(img.getRGB((int) cell.getX() + 3, (int) cell.getY() + 3));
    }

    private static int luminance(Color c) {
        return (299 * c.getRed() + 587 * c.getGreen() + 114 * c.getBlue()) / 1000;
    }
}
