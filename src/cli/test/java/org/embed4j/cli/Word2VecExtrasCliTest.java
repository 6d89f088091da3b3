package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The word2vec-family commands and flags end to end through the CLI: train-vectors with --hs --negative 0,
 * --save-vocab / --read-vocab and --classes; phrases; train-docvectors and test-docvectors on labeled topic
 * documents (the document vectors must classify the held-out documents well above chance).
 */
class Word2VecExtrasCliTest {
    @TempDir
    static Path dir;

    static Path corpus;
    static Path labeledTrain;
    static Path labeledTest;
    static Path docs;

    private static final String[][] GROUPS = {
        {"sun", "moon", "star", "sky", "comet", "planet"}, {"bread", "milk", "cheese", "butter", "jam", "honey"}
    };

    /** Lines of one group's words; the labeled files use the group as the label, the docs file their texts. */
    @BeforeAll
    static void writeData() throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder plain = new StringBuilder();
        StringBuilder train = new StringBuilder();
        StringBuilder test = new StringBuilder();
        StringBuilder texts = new StringBuilder();
        for (int s = 0; s < 600; s++) {
            int g = r.nextInt(2);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                line.append(i > 0 ? " " : "").append(GROUPS[g][r.nextInt(GROUPS[g].length)]);
            }
            plain.append(line).append('\n');
            (s < 450 ? train : test)
                    .append("__label__")
                    .append(g)
                    .append(' ')
                    .append(line)
                    .append('\n');
            texts.append(line).append('\n');
        }
        corpus = Files.writeString(dir.resolve("c.txt"), plain);
        labeledTrain = Files.writeString(dir.resolve("train.txt"), train);
        labeledTest = Files.writeString(dir.resolve("test.txt"), test);
        docs = Files.writeString(dir.resolve("docs.txt"), texts);
    }

    @Test
    void trainVectorsWithHierarchicalSoftmaxAVocabularyFileAndClasses() throws IOException {
        String prefix = dir.resolve("hs/model").toString();
        Path vocab = dir.resolve("hs/vocab.txt");
        CliRun run = CliRun.run(
                "",
                "train-vectors",
                "--input",
                corpus.toString(),
                "--output",
                prefix,
                "-hs",
                "1",
                "-negative",
                "0",
                "--dim",
                "16",
                "--min-count",
                "1",
                "--sample",
                "0",
                "--epochs",
                "3",
                "--threads",
                "1",
                "--min-lr",
                "0.001",
                "-save-vocab",
                vocab.toString(),
                "-classes",
                "2",
                "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(12, Files.readAllLines(vocab).size());
        List<String> classes = Files.readAllLines(Path.of(prefix + ".classes"));
        assertEquals(12, classes.size());
        for (String[] g : GROUPS) { // each group's words share a class
            String first = classOf(classes, g[0]);
            for (String w : g) {
                assertEquals(first, classOf(classes, w), w + " in " + classes);
            }
        }
        assertTrue(!classOf(classes, "sun").equals(classOf(classes, "milk")), classes.toString());
        // a fixed vocabulary: the same words, read from the file
        String again = dir.resolve("hs/again").toString();
        run = CliRun.run(
                "",
                "train-vectors",
                "--input",
                corpus.toString(),
                "--output",
                again,
                "--hs",
                "--negative",
                "0",
                "--dim",
                "16",
                "--min-count",
                "1",
                "--epochs",
                "1",
                "--threads",
                "1",
                "-read-vocab",
                vocab.toString(),
                "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        WordVectors v = VectorsIO.read(Path.of(again + ".bin"), VectorsFormat.WORD2VEC_BINARY);
        assertEquals(12, v.size());
        CliRun bad =
                CliRun.run("", "train-vectors", "--input", corpus.toString(), "--output", again, "--negative", "0");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("--hs"), bad.err());
    }

    private static String classOf(List<String> lines, String word) {
        for (String l : lines) {
            if (l.startsWith(word + " ")) {
                return l.substring(word.length() + 1);
            }
        }
        throw new AssertionError(word + " not in " + lines);
    }

    @Test
    void phrasesJoinsFrequentPairs() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            sb.append("i saw new york today\n")
                    .append("w")
                    .append(i)
                    .append(" x")
                    .append(i)
                    .append('\n');
        }
        Path in = Files.writeString(dir.resolve("ph.txt"), sb);
        Path out = dir.resolve("ph.phrases.txt");
        CliRun run = CliRun.run(
                "",
                "phrases",
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--threshold",
                "1",
                "--passes",
                "1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("pass 1:"), run.out());
        String first = Files.readAllLines(out).getFirst();
        assertTrue(first.contains("new_york"), first);
        assertEquals(80, Files.readAllLines(out).size());
    }

    @Test
    void docVectorsTrainSaveAndClassifyHeldOutDocuments() throws IOException {
        String prefix = dir.resolve("pv/model").toString();
        CliRun run = CliRun.run(
                "",
                "train-docvectors",
                "--input",
                docs.toString(),
                "--output",
                prefix,
                "--dm",
                "0",
                "--hs",
                "--negative",
                "0",
                "--dim",
                "16",
                "--min-count",
                "1",
                "--sample",
                "0",
                "--epochs",
                "20",
                "--threads",
                "1",
                "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        for (String ext : new String[] {".docvec.safetensors", ".docs.bin", ".bin", ".metrics.jsonl"}) {
            assertTrue(Files.size(Path.of(prefix + ext)) > 0, ext);
        }
        WordVectors d = VectorsIO.read(Path.of(prefix + ".docs.bin"), VectorsFormat.WORD2VEC_BINARY);
        assertEquals(600, d.size());
        for (String mode : new String[] {"lookup", "infer"}) {
            run = CliRun.run(
                    "",
                    "test-docvectors",
                    "--model",
                    prefix + ".docvec.safetensors",
                    "--train",
                    labeledTrain.toString(),
                    "--test",
                    labeledTest.toString(),
                    mode.equals("infer") ? "--infer" : "--knn=5",
                    "--threads",
                    "2");
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().contains(mode.equals("infer") ? "0 trained, 600 inferred" : "600 trained"), run.out());
            Matcher m = Pattern.compile(
                            "doc vectors: logistic regression accuracy ([0-9.]+)%, \\d+-NN accuracy ([0-9.]+)%")
                    .matcher(run.out());
            assertTrue(m.find(), run.out());
            assertTrue(Double.parseDouble(m.group(1)) > 90, mode + ": " + run.out());
            assertTrue(Double.parseDouble(m.group(2)) > 90, mode + ": " + run.out());
        }
    }
}
