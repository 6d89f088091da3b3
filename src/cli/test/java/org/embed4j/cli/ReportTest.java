package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import javax.imageio.ImageIO;
import org.embed4j.cli.plot.TrainingCurve;
import org.embed4j.cli.report.ProgressLine;
import org.embed4j.cli.report.ProgressLines;
import org.embed4j.cli.report.ProgressReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI shows while it trains: the curve PNG (one panel per quantity, each drawn), the progress line that
 * fits any terminal width, the plain progress lines for logs, the one-line log format.
 */
class ReportTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void curveHasOnePanelPerQuantityEachWithItsLine() throws IOException {
        Path png = dir.resolve("c.png");
        int n = 150;
        double[] x = new double[n];
        double[] loss = new double[n];
        double[] lr = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 1e5;
            loss[i] = i == 0 ? Double.NaN : 3 / Math.sqrt(i + 1); // a NaN first record, as a real run logs
            lr[i] = 0.025 * (1 - i / (double) n);
        }
        TrainingCurve.write(
                png,
                "t",
                "words trained",
                List.of(
                        new TrainingCurve.Panel("loss", List.of(new TrainingCurve.Series("loss", x, loss))),
                        new TrainingCurve.Panel("lr", List.of(new TrainingCurve.Series("lr", x, lr)))));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        // the house palette's first colour (0x0072B2) draws each panel's line: count it in each half
        int top = count(img, 0, img.getHeight() / 2, 0x0072B2);
        int bottom = count(img, img.getHeight() / 2, img.getHeight(), 0x0072B2);
        assertTrue(top > 300 && bottom > 300, top + " and " + bottom + " line pixels in the two panels");
        assertThrows(IllegalArgumentException.class, () -> new TrainingCurve.Series("a", x, new double[] {1}));
    }

    private static int count(BufferedImage img, int y0, int y1, int rgb) {
        int c = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                c += (img.getRGB(x, y) & 0xFFFFFF) == rgb ? 1 : 0;
            }
        }
        return c;
    }

    private static final ProgressLine.Snapshot W2V = new ProgressLine.Snapshot(
            "word2vec sg", 4_378_522, 9_729_050, "words", 12.4, "loss 2.3101, 812k words/s/thread, lr 0.01374");

    @Test
    void barLineFitsEveryWidthDroppingWholeFields() {
        for (int width = 1; width <= 220; width++) {
            String line = ProgressLine.bar(W2V, width);
            assertTrue(line.length() <= width, width + " columns: " + line.length() + " [" + line + "]");
            assertFalse(line.contains("\n") || line.contains("\r"), line);
        }
        String wide = ProgressLine.bar(W2V, 119);
        assertTrue(wide.startsWith("word2vec sg  45% [==========>            ] "), wide);
        assertTrue(
                wide.contains(" 4.38M/9.73M words 0:12 ETA 0:15 loss 2.3101, 812k words/s/thread, lr 0.01374"), wide);
        // 79 columns: the counts go first, then the status fields from the last one; kept fields are never cut
        String narrow = ProgressLine.bar(W2V, 79);
        assertFalse(narrow.contains("9.73M"), narrow);
        assertTrue(narrow.endsWith("loss 2.3101, 812k words/s/thread") || narrow.endsWith("loss 2.3101"), narrow);
        assertTrue(ProgressLine.bar(W2V, 30).startsWith("word2vec sg  45%"), ProgressLine.bar(W2V, 30));
    }

    @Test
    void plainLinesComeEveryFewSecondsAndAtTheEnd() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (ProgressReporter p = ProgressReporter.toLog(new ProgressLines(out, 5 * SECOND, now::get))) {
            assertTrue(p.enabled());
            // four updates a second for 12 s, then the end
            for (int i = 0; i <= 48; i++) {
                now.set(i * SECOND / 4);
                p.onProgress("word2vec sg", i * 1000L, 48_000, "words", "lr 0.02, loss " + (3 - i / 48.0));
            }
            now.set(13 * SECOND);
            p.onEnd();
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), "no carriage returns in a log");
        List<String> lines = text.lines().toList();
        // at 0 s, 5 s, 10 s, then the last state (12 s) when training ends; close after onEnd adds nothing
        assertEquals(4, lines.size(), text);
        assertEquals("word2vec sg: 0% (0/48.0k words), 0:00 elapsed, lr 0.02, loss 3.0", lines.get(0));
        assertTrue(
                lines.get(1).startsWith("word2vec sg: 41% (20.0k/48.0k words), 0:05 elapsed, ETA 0:07"), lines.get(1));
        assertTrue(lines.get(3).startsWith("word2vec sg: 100% (48.0k/48.0k words), 0:12 elapsed"), lines.get(3));
    }

    @Test
    void quietReporterShowsNothing() {
        try (ProgressReporter p = new ProgressReporter(false)) {
            p.onProgress("t", 5, 10, "words", "x");
            assertFalse(p.enabled());
        }
    }

    @Test
    void logRecordsAreOneLineEach() {
        CliLog.OneLine f = new CliLog.OneLine();
        LogRecord r = new LogRecord(Level.INFO, "word2vec: {0} words in the vocabulary,\n{1} threads");
        r.setParameters(new Object[] {"14176", 2});
        r.setLoggerName("org.embed4j.word2vec.Word2VecTrainer");
        assertEquals(
                "INFO embed4j: word2vec: 14176 words in the vocabulary, 2 threads" + System.lineSeparator(),
                f.format(r));
        LogRecord w = new LogRecord(Level.WARNING, "could not read");
        w.setLoggerName("org.jline");
        w.setThrown(new IOException("disk\nfull"));
        assertEquals("WARN org.jline: could not read: disk full" + System.lineSeparator(), f.format(w));
        LogRecord d = new LogRecord(Level.FINE, "detail");
        d.setLoggerName("org.embed4j.x");
        assertTrue(f.format(d).startsWith("DEBUG embed4j: detail"));
    }
}
