package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-vectors end to end through the CLI: the four output files exist and the .bin and .e4jv hold the same vectors. */
class TrainVectorsCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesBinaryNativeMetricsAndCurve() throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder sb = new StringBuilder();
        String[][] groups = {{"sun", "moon", "star", "sky"}, {"bread", "milk", "cheese", "butter"}};
        for (int s = 0; s < 800; s++) {
            String[] g = groups[r.nextInt(2)];
            for (int i = 0; i < 8; i++) {
                sb.append(g[r.nextInt(g.length)]).append(' ');
            }
            sb.append('\n');
        }
        Path corpus = dir.resolve("c.txt");
        Files.writeString(corpus, sb.toString());
        String prefix = dir.resolve("out/model").toString();
        int code = Main.commandLine()
                .execute(
                        "train-vectors",
                        "--input",
                        corpus.toString(),
                        "--output",
                        prefix,
                        "--dim",
                        "16",
                        "--min-count",
                        "1",
                        "--sample",
                        "0",
                        "--epochs",
                        "2",
                        "--threads",
                        "1",
                        "--quiet");
        assertEquals(0, code);
        for (String ext : new String[] {".bin", ".e4jv", ".metrics.jsonl", ".curve.png"}) {
            assertTrue(Files.size(Path.of(prefix + ext)) > 0, ext);
        }
        WordVectors bin = VectorsIO.read(Path.of(prefix + ".bin"), VectorsFormat.WORD2VEC_BINARY);
        WordVectors nat = VectorsIO.read(Path.of(prefix + ".e4jv"), VectorsFormat.NATIVE);
        assertEquals(8, bin.size());
        assertEquals(16, bin.dim());
        for (int i = 0; i < bin.size(); i++) {
            assertEquals(bin.words().get(i), nat.words().get(i));
            assertTrue(java.util.Arrays.equals(bin.vector(i), nat.vector(i)), "row " + i);
        }
        assertEquals(
                1,
                Main.commandLine()
                        .execute(
                                "train-vectors",
                                "--input",
                                dir.resolve("nope.txt").toString(),
                                "--output",
                                prefix,
                                "--quiet"));
    }
}
