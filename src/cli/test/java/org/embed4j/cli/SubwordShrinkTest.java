package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import org.embed4j.backend.Backends;
import org.embed4j.cli.report.SubwordAgreement;
import org.embed4j.deploy.Precision;
import org.embed4j.deploy.Pruning;
import org.embed4j.deploy.QuantizedVectors;
import org.embed4j.deploy.TextEmbedder;
import org.embed4j.testing.TopicCorpus;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.embed4j.word2vec.Word2VecOptions;
import org.embed4j.word2vec.Word2VecTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * Shrinking a model trained with fastText subwords: pruning keeps the shared bucket rows, quantization
 * quantizes them, and an out-of-vocabulary word gets, from the shrunk model, the vector the float model gives it
 * (bit for bit after pruning; within the quantization error after quantizing).
 */
class SubwordShrinkTest {
    /** Not in the vocabulary: plurals and misspellings of topic words, and strangers sharing few n-grams. */
    private static final List<String> OOV =
            List.of("grapes", "trucks", "bluish", "doggo", "cherries", "planes", "zebra", "xylophone", "é-mañana");

    @TempDir
    static Path dir;

    static WordVectors model;

    @BeforeAll
    static void train() throws IOException {
        Path corpus = TopicCorpus.write(dir.resolve("topics.txt"), 2000, 5);
        Word2VecOptions o = Word2VecOptions.defaults()
                .withDim(24)
                .withMinCount(1)
                .withSample(0)
                .withEpochs(2)
                .withThreads(1)
                .withSeed(11)
                .withNegTableSize(100_000)
                .withBackend(nativeOrJava())
                .withSubwords(3, 5, 3000);
        model = new Word2VecTrainer(o).train(corpus).vectors();
        assertTrue(model.hasSubwords());
        for (String w : OOV) {
            assertFalse(model.contains(w), w + " must be out of the vocabulary");
        }
    }

    private static String nativeOrJava() {
        try {
            Backends.get("cpu");
            return "cpu";
        } catch (IllegalStateException e) {
            return "java";
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void quantizedOovVectorsMatchTheFloatModelWithinTheQuantizationError(Precision p) {
        QuantizedVectors q = QuantizedVectors.quantize(model, p);
        assertTrue(q.hasSubwords());
        assertEquals(model.subwords().toString(), q.subwords().toString());
        int dim = model.dim();
        for (String w : OOV) {
            float[] x = model.vector(w);
            float[] y = q.vector(w);
            int[] ids = model.subwords().ngramBuckets(w);
            // the mean of per-row errors: at most the largest half-scale (int8) or half-ulp of half (fp16)
            double bound = 0;
            for (int id : ids) {
                float[] row = new float[dim];
                model.bucketVector(id, row, 0);
                for (float v : row) {
                    bound = Math.max(
                            bound, p == Precision.INT8 ? maxAbs(row) / 127 / 2 : Math.abs(v) * 0x1p-11 + 0x1p-25);
                }
            }
            for (int d = 0; d < dim; d++) {
                assertTrue(
                        Math.abs(x[d] - y[d]) <= bound * (1 + 1e-4) + 1e-7,
                        w + " col " + d + ": " + x[d] + " vs " + y[d] + ", bound " + bound);
            }
            double cos = WordVectors.cosine(x, y);
            assertTrue(cos > (p == Precision.INT8 ? 0.99 : 0.9999), w + ": cosine " + cos);
        }
        for (int r = 0; r < model.size(); r++) {
            String w = model.words().get(r);
            float[] x = model.vector(r);
            float[] y = q.vector(w);
            double bound =
                    p == Precision.INT8 ? q.scale(r) / 2 * (1 + 1e-5) + Math.ulp(maxAbs(x)) : maxAbs(x) * 0x1p-11;
            for (int d = 0; d < dim; d++) {
                assertTrue(Math.abs(x[d] - y[d]) <= bound + 0x1p-25, w + " col " + d);
            }
        }
        SubwordAgreement a = SubwordAgreement.ofQuantized(model, q, 1000);
        assertTrue(a.probes() > 0 && a.minCosine() > 0.99, a.describe());
        assertEquals(model.similarity("grapes", "grape"), q.similarity("grapes", "grape"), 0.02);
    }

    @Test
    void aQuantizedEmbedderUsesTheQuantizedSubwords() {
        TextEmbedder f = new TextEmbedder(model);
        TextEmbedder q = new TextEmbedder(QuantizedVectors.quantize(model, Precision.INT8));
        String text = "the grapes and trucks of zebra";
        float[] a = new float[model.dim()];
        float[] b = new float[model.dim()];
        assertEquals(6, f.embed(text, a, 0));
        assertEquals(6, q.embed(text, b, 0), "every word, OOV ones included, has a vector");
        assertTrue(WordVectors.cosine(a, b) > 0.99, "cosine " + WordVectors.cosine(a, b));
        assertTrue(q.unknownWords(text).isEmpty());
    }

    @Test
    void pruningKeepsTheSubwordRowsSoDroppedWordsStillGetTheirSubwordVector() throws IOException {
        WordVectors p = Pruning.keepMostFrequent(model, 10);
        assertEquals(10, p.size());
        assertTrue(p.hasSubwords());
        assertEquals(model.subwords().toString(), p.subwords().toString());
        for (int r = 0; r < 10; r++) {
            assertArrayEquals(model.vector(r), p.vector(r), "kept row " + r);
        }
        String dropped = model.words().get(20);
        assertFalse(p.contains(dropped));
        assertArrayEquals(subwordMean(dropped), p.vector(dropped), "a dropped word gets its subword vector");
        for (String w : OOV) {
            assertArrayEquals(model.vector(w), p.vector(w), w);
        }
        Path f = dir.resolve("pruned.e4jv");
        VectorsIO.write(p, f, VectorsFormat.NATIVE);
        WordVectors back = VectorsIO.read(f);
        assertTrue(back.hasSubwords());
        assertArrayEquals(p.vector(dropped), back.vector(dropped));

        WordVectors plain = Pruning.keepMostFrequent(model, 10, false);
        assertFalse(plain.hasSubwords());
        assertArrayEquals(model.vector(3), plain.vector(3));
        assertThrows(NoSuchElementException.class, () -> plain.vector(dropped));
    }

    @Test
    void commandsKeepSubwordsAndReportTheOovVectors() throws IOException {
        Path in = dir.resolve("model.e4jv");
        VectorsIO.write(model, in, VectorsFormat.NATIVE);
        Files.writeString(dir.resolve("pairs.tsv"), "grape apple 8\ntruck car 9\ndog car 1\nred blue 6\n");
        Files.writeString(dir.resolve("q.txt"), ": family\ndog cat pig cow\n");
        String[] eval = {
            "--similarity",
            dir.resolve("pairs.tsv").toString(),
            "--analogy",
            dir.resolve("q.txt").toString()
        };

        Path q = dir.resolve("model.e4jq");
        String out = run(concat(new String[] {"quantize", in.toString(), q.toString()}, eval));
        assertTrue(out.contains("subwords: 3000 bucket rows quantized"), out);
        assertTrue(out.contains("oov vectors, float vs int8"), out);
        assertTrue(out.contains("ws353 spearman: before"), out);
        QuantizedVectors loaded = QuantizedVectors.load(q);
        assertTrue(loaded.hasSubwords());
        assertTrue(WordVectors.cosine(model.vector("grapes"), loaded.vector("grapes")) > 0.99);

        Path p = dir.resolve("pruned-cli.e4jv");
        out = run(concat(new String[] {"prune", in.toString(), p.toString(), "--keep", "12"}, eval));
        assertTrue(out.contains("subwords: all 3000 bucket rows kept"), out);
        assertTrue(out.contains("dropped words, own vector vs subword vector: cosine mean"), out);
        assertTrue(out.contains("analogy accuracy"), out);
        assertTrue(VectorsIO.read(p).hasSubwords());

        out = run(concat(
                new String[] {"prune", in.toString(), p.toString(), "--keep", "12", "--no-keep-subwords"}, eval));
        assertTrue(out.contains("subwords: dropped"), out);
        assertFalse(VectorsIO.read(p).hasSubwords());
    }

    private float[] subwordMean(String word) {
        int dim = model.dim();
        float[] out = new float[dim];
        float[] row = new float[dim];
        int[] ids = model.subwords().ngramBuckets(word);
        for (int id : ids) {
            model.bucketVector(id, row, 0);
            for (int d = 0; d < dim; d++) {
                out[d] += row[d];
            }
        }
        float inv = 1f / ids.length;
        for (int d = 0; d < dim; d++) {
            out[d] *= inv;
        }
        return out;
    }

    private static float maxAbs(float[] x) {
        float m = 0;
        for (float v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static String run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return out.toString();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
