package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pictures, made through the real command line: the word map (t-SNE and PCA, every word labelled), the
 * classifier's training curves and its confusion matrix and per-label scores.
 */
class PicturesCliTest {
    @TempDir
    Path dir;

    @Test
    void plotDrawsALabelledMap() throws IOException {
        Path model = dir.resolve("random.e4jv");
        WordVectors v = RandomVectors.model(3, 200, 16);
        VectorsIO.write(v, model, VectorsFormat.NATIVE);
        Path map = dir.resolve("map.png");
        CliRun top = CliRun.run(
                "", "plot", "--model", model.toString(), "--top", "60", "--method", "tsne", "--output", map.toString());
        assertEquals(0, top.exitCode(), top.err());
        assertTrue(top.out().contains("60 words, t-SNE"), top.out());
        BufferedImage img = ImageIO.read(map.toFile());
        assertEquals(1200, img.getWidth());
        assertEquals(900, img.getHeight());
        int text = labelPixels(img);
        assertTrue(text > 60 * 25, text + " label pixels for 60 labels");

        Path pca = dir.resolve("near.png");
        CliRun near = CliRun.run(
                "",
                "plot",
                "--model",
                model.toString(),
                "--near",
                "w1,w2",
                "-k",
                "8",
                "--output",
                pca.toString(),
                "--width",
                "800",
                "--height",
                "600");
        assertEquals(0, near.exitCode(), near.err());
        assertTrue(near.out().contains("18 words, PCA"), "--method auto: PCA for few words; " + near.out());
        assertEquals(800, ImageIO.read(pca.toFile()).getWidth());

        CliRun unknown =
                CliRun.run("", "plot", "--model", model.toString(), "--words", "w1,nope", "--output", map.toString());
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("\"nope\" is not in the vocabulary"), unknown.err());
        CliRun both = CliRun.run(
                "", "plot", "--model", model.toString(), "--top", "5", "--near", "w1", "--output", map.toString());
        assertEquals(2, both.exitCode(), "picocli refuses two ways of choosing words: " + both.err());
    }

    /** Neutral dark pixels (the labels' #222 text, antialiased) below the title. */
    private static int labelPixels(BufferedImage img) {
        int count = 0;
        for (int y = 50; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                boolean grey = Math.abs(r - g) < 12 && Math.abs(g - b) < 12;
                count += grey && r < 110 ? 1 : 0;
            }
        }
        return count;
    }

    @Test
    void classifierCurvesAndTestPictures() throws IOException {
        String train = ClassifierFixtures.resource("trec-400.train.txt").toString();
        String test = ClassifierFixtures.resource("trec-150.test.txt").toString();
        Path model = dir.resolve("trec.e4jc");
        Path curve = dir.resolve("curve.png");
        CliRun t = CliRun.run(
                "",
                "train-classifier",
                "--train",
                train,
                "--test",
                test,
                "--output",
                model.toString(),
                "--dim",
                "16",
                "--epoch",
                "8",
                "--lr",
                "0.5",
                "--quiet",
                "--curve",
                curve.toString());
        assertEquals(0, t.exitCode(), t.err());
        assertTrue(ImageIO.read(curve.toFile()).getWidth() == 900);

        Path mlpCurve = dir.resolve("mlp-curve.png");
        CliRun mlp = CliRun.run(
                "",
                "train-classifier",
                "--model",
                "mlp",
                "--train",
                train,
                "--test",
                test,
                "--dim",
                "16",
                "--hidden",
                "16",
                "--epoch",
                "4",
                "--quiet",
                "--metrics",
                dir.resolve("mlp.jsonl").toString(),
                "--curve",
                mlpCurve.toString());
        assertEquals(0, mlp.exitCode(), mlp.err());
        BufferedImage m = ImageIO.read(mlpCurve.toFile());
        assertTrue(m.getHeight() > 2 * 290, "two panels: loss and dev accuracy, " + m.getHeight() + " px");
        assertTrue(Files.readAllLines(dir.resolve("mlp.jsonl")).getFirst().contains("\"dev_accuracy\""));

        Path pictures = dir.resolve("pictures");
        CliRun tc = CliRun.run("", "test-classifier", model.toString(), test, "--plot", pictures.toString());
        assertEquals(0, tc.exitCode(), tc.err());
        BufferedImage confusion = ImageIO.read(pictures.resolve("confusion.png").toFile());
        BufferedImage labels = ImageIO.read(pictures.resolve("labels.png").toFile());
        assertTrue(confusion.getWidth() >= 600 && confusion.getHeight() >= 600, "confusion.png size");
        assertTrue(labels.getWidth() >= 800, "labels.png size");
    }
}
