package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.embed4j.cli.report.ProgressReporter;
import org.embed4j.cli.report.TrainingCurve;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The curve read back with ImageIO; the disabled progress bar is a no-op. */
class ReportTest {
    @TempDir
    Path dir;

    @Test
    void curveIsAPngWithTheSeriesDrawn() throws IOException {
        Path png = dir.resolve("c.png");
        double[] x = {0, 1, 2, 3, 4};
        TrainingCurve.write(
                png, "t", "words", x, new double[][] {{5, 4, 3, 2.5, 2.4}, {1, 0.8, 0.6, 0.4, 0.2}}, new String[] {
                    "loss", "lr"
                });
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        int colored = 0;
        for (int px = 0; px < img.getWidth(); px++) {
            for (int py = 0; py < img.getHeight(); py++) {
                int rgb = img.getRGB(px, py) & 0xFFFFFF;
                colored += (rgb == 0x1f77b4 || rgb == 0xd62728) ? 1 : 0;
            }
        }
        assertTrue(colored > 500, colored + " pixels in the series colours");
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainingCurve.write(png, "t", "x", x, new double[][] {{1, 2}}, new String[] {"a"}));
    }

    @Test
    void disabledProgressIsANoOp() {
        try (ProgressReporter p = new ProgressReporter(false)) {
            p.onProgress("t", 5, 10, "words", "x");
            assertFalse(p.enabled());
        }
    }
}
