package org.embed4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MetricsLog output parsed back with Gson; the curve read back with ImageIO; the disabled progress bar is a no-op. */
class TrainPackageTest {
    @TempDir
    Path dir;

    @Test
    void metricsLogWritesValidJsonLinesAndRenamesOnClose() throws IOException {
        Path file = dir.resolve("run/m.jsonl");
        try (MetricsLog log = new MetricsLog(file)) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("step", 1L);
            r.put("loss", 2.5);
            r.put("lr", Double.NaN);
            r.put("note", "quote \" tab\t");
            log.log(r);
            r.put("step", 2L);
            r.put("loss", 1.5);
            log.log(r);
            assertFalse(Files.exists(file), "final name appears only on close");
            assertArrayEquals(new double[] {2.5, 1.5}, log.series("loss"));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals(1, first.get("step").getAsLong());
        assertEquals(2.5, first.get("loss").getAsDouble());
        assertTrue(first.get("lr").isJsonNull(), "NaN is written as null");
        assertEquals("quote \" tab\t", first.get("note").getAsString());
        assertFalse(Files.exists(dir.resolve("run/m.jsonl.tmp")));
    }

    @Test
    void curveIsAPngWithTheSeriesDrawn() throws IOException {
        Path png = dir.resolve("c.png");
        double[] x = {0, 1, 2, 3, 4};
        TrainingCurve.write(png, "t", "words", x, new double[][] {{5, 4, 3, 2.5, 2.4}, {1, 0.8, 0.6, 0.4, 0.2}},
                new String[] {"loss", "lr"});
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
        assertThrows(IllegalArgumentException.class, () -> TrainingCurve.write(png, "t", "x", x,
                new double[][] {{1, 2}}, new String[] {"a"}));
    }

    @Test
    void disabledProgressIsANoOp() {
        try (ProgressReporter p = new ProgressReporter("t", 10, "words", false)) {
            p.update(5, "x");
            assertFalse(p.enabled());
        }
        assertThrows(IllegalArgumentException.class, () -> new ProgressReporter("t", -1, "w", false));
    }
}
