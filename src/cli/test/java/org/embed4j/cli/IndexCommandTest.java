package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.search.HnswIndex;
import org.embed4j.search.TextIndex;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./embed4j index: the word-vector graph beside the model, the text index and its graph, --exact, bad input. */
class IndexCommandTest {
    @TempDir
    Path dir;

    @Test
    void buildsBesideTheModel() throws Exception {
        WordVectors v = RandomVectors.model(3, 300, 16);
        Path model = dir.resolve("m.e4jv");
        VectorsIO.write(v, model, VectorsFormat.NATIVE);
        CliRun words = CliRun.run("", "index", "--vectors", model.toString());
        assertEquals(0, words.exitCode(), words.err());
        assertTrue(words.out().startsWith("index: 300 rows, HNSW"), words.out());
        try (HnswIndex graph = HnswIndex.open(HnswIndex.besideModel(model))) {
            assertEquals(300, graph.size());
            assertEquals(List.of(5), List.of(graph.search(v.vector(5), 1, 50).rows(0)[0]), "a row finds itself");
        }

        Path tsv = dir.resolve("docs.tsv");
        Files.writeString(
                tsv,
                "a\t" + v.words().get(1) + " " + v.words().get(2) + "\tx\nb\t"
                        + v.words().get(3) + "\n");
        // two texts: removing their first principal component would leave little to rank by
        CliRun texts = CliRun.run("", "index", "--vectors", model.toString(), "--texts", tsv.toString(), "--no-pc");
        assertEquals(0, texts.exitCode(), texts.err());
        Path e4ji = dir.resolve("docs.e4ji");
        assertTrue(Files.isRegularFile(e4ji) && Files.isDirectory(HnswIndex.besideModel(e4ji)), texts.out());
        try (TextIndex index = TextIndex.open(e4ji, v, false)) {
            assertTrue(index.usesGraph());
            assertEquals("b", index.search(v.words().get(3), 1).get(0).id());
        }
        Path exactOut = dir.resolve("exact.e4ji");
        CliRun exact = CliRun.run(
                "",
                "index",
                "--vectors",
                model.toString(),
                "--texts",
                tsv.toString(),
                "--output",
                exactOut.toString(),
                "--exact");
        assertEquals(0, exact.exitCode(), exact.err());
        assertTrue(Files.isRegularFile(exactOut) && !Files.exists(HnswIndex.besideModel(exactOut)));

        CliRun bad = CliRun.run("", "index", "--vectors", model.toString(), "--exact");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("--exact without --texts"), bad.err());
        Files.writeString(tsv, "only-an-id\n");
        CliRun badTsv = CliRun.run("", "index", "--vectors", model.toString(), "--texts", tsv.toString());
        assertEquals(1, badTsv.exitCode());
        assertTrue(badTsv.err().contains("line 1"), badTsv.err());
    }
}
