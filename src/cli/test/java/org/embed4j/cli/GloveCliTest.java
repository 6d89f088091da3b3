package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.testing.TopicCorpus;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train-vectors --model glove, --tensorboard, --checkpoint/--resume and --init, and export --projector, end to end
 * through the command line.
 */
class GloveCliTest {
    @TempDir
    Path dir;

    private CliRun glove(Path corpus, String prefix, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "train-vectors",
                "--model",
                "glove",
                "--input",
                corpus.toString(),
                "--output",
                prefix,
                "--dim",
                "12",
                "--window",
                "4",
                "--min-count",
                "1",
                "--threads",
                "1",
                "--quiet"));
        args.addAll(List.of(more));
        return CliRun.run("", args.toArray(String[]::new));
    }

    @Test
    void gloveWritesTheModelFilesTensorBoardEventsAndResumesFromItsCheckpoint() throws IOException {
        Path corpus = TopicCorpus.write(dir.resolve("topics.txt"), 600, 3);
        String prefix = dir.resolve("out/glove").toString();
        Path tb = dir.resolve("tb");
        CliRun r = glove(corpus, prefix, "--epochs", "3", "--tensorboard", tb.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("trained GloVe"), r.out());
        for (String ext : List.of(".bin", ".e4jv", ".vocab.txt", ".metrics.jsonl", ".curve.png")) {
            assertTrue(Files.size(Path.of(prefix + ext)) > 0, ext);
        }
        try (var events = Files.list(tb)) {
            Path file = events.findFirst().orElseThrow();
            var read = org.embed4j.cli.tensorboard.EventFileTest.read(file);
            assertTrue(read.stream().anyMatch(e -> e.scalars().containsKey("loss")), "a loss scalar");
            assertTrue(read.stream().anyMatch(e -> e.scalars().containsKey("epoch_loss")), "per-epoch loss");
        }
        WordVectors whole = VectorsIO.read(Path.of(prefix + ".e4jv"));

        String ckpt = dir.resolve("ck/run.ckpt").toString();
        assertEquals(
                0,
                glove(corpus, prefix + "-1", "--epochs", "1", "--checkpoint", ckpt)
                        .exitCode());
        CliRun resumed = glove(corpus, prefix + "-3", "--epochs", "3", "--checkpoint", ckpt, "--resume");
        assertEquals(0, resumed.exitCode(), resumed.err());
        WordVectors again = VectorsIO.read(Path.of(prefix + "-3.e4jv"));
        for (String w : whole.words()) {
            assertArrayEquals(whole.vector(w), again.vector(w), w);
        }

        CliRun bad = glove(corpus, prefix + "-x", "--negative", "3");
        assertEquals(1, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("--negative applies to sg and cbow"), bad.err());
    }

    @Test
    void exportWritesTheProjectorFiles() throws IOException {
        Path corpus = TopicCorpus.write(dir.resolve("topics.txt"), 300, 3);
        String prefix = dir.resolve("glove").toString();
        assertEquals(0, glove(corpus, prefix, "--epochs", "2").exitCode());
        Path proj = dir.resolve("projector");
        CliRun r =
                CliRun.run("", "export", "--projector", proj.toString(), "--model", prefix + ".e4jv", "--limit", "10");
        assertEquals(0, r.exitCode(), r.err());
        List<String> vectors = Files.readAllLines(proj.resolve("vectors.tsv"));
        List<String> meta = Files.readAllLines(proj.resolve("metadata.tsv"));
        assertEquals(10, vectors.size());
        assertEquals(12, vectors.getFirst().split("\t").length);
        assertEquals("word\tcount", meta.getFirst());
        assertEquals(11, meta.size());
        WordVectors v = VectorsIO.read(Path.of(prefix + ".e4jv"));
        String[] first = meta.get(1).split("\t");
        assertEquals(v.words().getFirst(), first[0]);
        assertTrue(Long.parseLong(first[1]) > 100, "the most frequent word's count");
        assertEquals(v.vector(0)[0], Float.parseFloat(vectors.getFirst().split("\t")[0]));
        String config = Files.readString(proj.resolve("projector_config.pbtxt"));
        assertTrue(
                config.contains("tensor_path: \"vectors.tsv\"")
                        && config.contains("metadata_path: \"metadata.tsv\"")
                        && config.contains("tensor_shape: 10")
                        && config.contains("tensor_shape: 12"),
                config);

        Files.delete(Path.of(prefix + ".vocab.txt")); // without counts: the word column alone, no header
        assertEquals(
                0,
                CliRun.run("", "export", "--projector", proj.toString(), "--model", prefix + ".e4jv")
                        .exitCode());
        assertEquals(v.words(), Files.readAllLines(proj.resolve("metadata.tsv")));
    }

    @Test
    void trainVectorsInitContinuesAWord2VecModel() throws IOException {
        Path corpus = TopicCorpus.write(dir.resolve("topics.txt"), 400, 3);
        Path more =
                Files.writeString(dir.resolve("more.txt"), "zebra lion zebra lion tiger zebra lion tiger\n".repeat(50));
        String prefix = dir.resolve("w2v").toString();
        CliRun first = CliRun.run(
                "",
                "train-vectors",
                "--input",
                corpus.toString(),
                "--output",
                prefix,
                "--dim",
                "10",
                "--min-count",
                "1",
                "--epochs",
                "1",
                "--threads",
                "1",
                "--quiet");
        assertEquals(0, first.exitCode(), first.err());
        CliRun cont = CliRun.run(
                "",
                "train-vectors",
                "--input",
                more.toString(),
                "--output",
                prefix + "-2",
                "--init",
                prefix + ".e4jv",
                "--min-count",
                "1",
                "--epochs",
                "1",
                "--threads",
                "1",
                "--quiet");
        assertEquals(0, cont.exitCode(), cont.err());
        WordVectors old = VectorsIO.read(Path.of(prefix + ".e4jv"));
        WordVectors grown = VectorsIO.read(Path.of(prefix + "-2.e4jv"));
        assertEquals(10, grown.dim(), "the dim comes from the model");
        assertEquals(old.words(), grown.words().subList(0, old.size()));
        // new words after the old ones, most frequent first (ties by name)
        assertEquals(List.of("lion", "zebra", "tiger"), grown.words().subList(old.size(), grown.size()));
        assertArrayEquals(old.vector("apple"), grown.vector("apple"), "a word the new text lacks keeps its row");
    }
}
