package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.embed4j.deploy.Precision;
import org.embed4j.testing.ClassifierFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loaded model reads its matrices in place from the mapped file and predicts bit for bit what the saved model
 * did, for every loss and storage; damaged files are IOExceptions naming the file, whatever the damage.
 */
class MappedClassifierTest {

    private static List<String> testTexts() throws IOException {
        List<String> texts = new ArrayList<>();
        for (LabeledText e : ClassifierFixtures.read("trec-150.test.txt")) {
            texts.add(e.text());
        }
        texts.add(""); // no token: uniform (softmax) or 0.5 each (ova, ns)
        texts.add("qqqzzz unseen-words-only"); // only EOS and hashed bigrams
        return texts;
    }

    private static void assertSamePredictions(TextClassifier expected, TextClassifier loaded, String what)
            throws IOException {
        for (String t : testTexts()) {
            assertArrayEquals(expected.probabilities(t), loaded.probabilities(t), 0f, what + ": " + t);
        }
    }

    /** The double hidden vectors and scores too, which a float probability could round a difference away from. */
    private static void assertSameSums(TextClassifier expected, TextClassifier loaded, String what) throws IOException {
        int dim = expected.dim();
        ClassifierMatrix.RowScratch scratch = new ClassifierMatrix.RowScratch(dim);
        double[][] hidden = new double[2][dim];
        double[][] scores = new double[2][expected.labels().size()];
        for (String t : testTexts()) {
            int[] rows = expected.dictionary().inputRows(t);
            int m = 0;
            for (TextClassifier model : List.of(expected, loaded)) {
                model.input().meanRows(rows, rows.length, hidden[m], scratch);
                model.output().dotRows(hidden[m], scores[m], scratch);
                m++;
            }
            assertArrayEquals(hidden[0], hidden[1], 0.0, what + ": " + t);
            assertArrayEquals(scores[0], scores[1], 0.0, what + ": " + t);
        }
    }

    @Test
    void mappedModelsPredictBitForBitLikeTheSavedOnes(@TempDir Path dir) throws Exception {
        List<LabeledText> train = ClassifierFixtures.read("trec-400.train.txt");
        for (ClassifierLoss loss : ClassifierLoss.values()) {
            ClassifierOptions o = ClassifierFixtures.OPTIONS.withLoss(loss).withEpoch(5);
            if (loss == ClassifierLoss.OVA) {
                o = o.withCharNgrams(3, 5); // and the subword rows
            }
            TextClassifier trained = new FastTextTrainer(o).train(train);
            List<TextClassifier> models =
                    List.of(trained, trained.quantize(Precision.INT8), trained.quantize(Precision.FP16));
            for (TextClassifier model : models) {
                String what =
                        loss + " " + model.precision().map(Precision::toString).orElse("float32");
                Path file = dir.resolve(
                        loss + "-" + model.precision().map(Precision::toString).orElse("f32") + ".e4jc");
                model.save(file);
                TextClassifier loaded = TextClassifier.load(file);
                assertInstanceOf(MappedMatrix.class, loaded.input(), what);
                assertInstanceOf(MappedMatrix.class, loaded.output(), what);
                assertEquals(model.precision(), loaded.precision(), what);
                assertEquals(model.weightBytes(), loaded.weightBytes(), what);
                assertSamePredictions(model, loaded, what);
                assertSameSums(model, loaded, what);
                // saved again from the mapping, the file is the same bytes
                Path again = dir.resolve("again.e4jc");
                loaded.save(again);
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again), what);
            }
        }
    }

    @Test
    void aMappedFloatModelQuantizesLikeTheHeapOne(@TempDir Path dir) throws Exception {
        TextClassifier trained = ClassifierFixtures.trec();
        Path file = dir.resolve("f32.e4jc");
        trained.save(file);
        TextClassifier loaded = TextClassifier.load(file);
        for (Precision p : Precision.values()) {
            TextClassifier fromHeap = trained.quantize(p);
            TextClassifier fromMapping = loaded.quantize(p);
            assertSamePredictions(fromHeap, fromMapping, p.toString());
            var e = assertThrows(
                    IllegalStateException.class,
                    () -> TextClassifier.load(quantizedFile(dir, fromHeap)).quantize(Precision.INT8));
            assertTrue(e.getMessage().contains("already quantized"), e.getMessage());
        }
    }

    private static Path quantizedFile(Path dir, TextClassifier model) throws IOException {
        Path file = dir.resolve("q-" + model.precision().orElseThrow() + ".e4jc");
        model.save(file);
        return file;
    }

    /** A small model (no buckets) whose file is mostly header, vocabulary and labels. */
    private static byte[] smallModelBytes(Path dir) throws IOException {
        TextClassifier model = new FastTextTrainer(ClassifierFixtures.OPTIONS
                        .withWordNgrams(1)
                        .withEpoch(1)
                        .withLoss(ClassifierLoss.HS))
                .train(ClassifierFixtures.read("trec-400.train.txt"));
        Path file = dir.resolve("small.e4jc");
        model.quantize(Precision.INT8).save(file);
        return Files.readAllBytes(file);
    }

    /** Loads {@code bytes} from a file; it must load or fail with an IOException that names the file. */
    private static void loadsOrNamesTheFile(Path file, byte[] bytes, String what) throws IOException {
        Files.write(file, bytes);
        try {
            TextClassifier m = TextClassifier.load(file);
            m.probabilities("What is the capital of France ?"); // a file that loads must also predict
        } catch (IOException e) {
            assertTrue(e.getMessage().contains(file.toString()), what + ": " + e.getMessage());
        } catch (RuntimeException | Error e) {
            fail(what + ": " + e, e);
        }
    }

    @Test
    void truncatedFilesNameTheFile(@TempDir Path dir) throws Exception {
        byte[] b = smallModelBytes(dir);
        Path file = dir.resolve("cut.e4jc");
        List<Integer> cuts = new ArrayList<>();
        for (int cut = 1; cut < 200; cut++) {
            cuts.add(cut);
        }
        for (int cut = 200; cut < b.length; cut += 997) {
            cuts.add(cut);
        }
        cuts.add(b.length - 1);
        for (int cut : cuts) {
            Files.write(file, Arrays.copyOf(b, cut));
            IOException e = assertThrows(IOException.class, () -> TextClassifier.load(file), "cut at " + cut);
            assertTrue(e.getMessage().contains(file.toString()), "cut at " + cut + ": " + e.getMessage());
        }
    }

    @Test
    void corruptHeadersAndVocabulariesNeverEscapeAsAnythingButIOException(@TempDir Path dir) throws Exception {
        byte[] b = smallModelBytes(dir);
        Path file = dir.resolve("corrupt.e4jc");
        for (int at = 0; at < b.length; at += at < 128 ? 1 : 211) {
            for (byte v : new byte[] {(byte) 0xFF, (byte) 0x7F, 0}) {
                byte[] c = b.clone();
                c[at] = v;
                loadsOrNamesTheFile(file, c, "byte " + at + " = " + v);
            }
        }
    }

    @Test
    void inconsistentSizesAreRefusedBeforeMapping(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.e4jc");
        TextClassifier model = ClassifierFixtures.trec(); // bigrams: 20,000 buckets of dim 16
        model.save(file);
        byte[] b = Files.readAllBytes(file);
        int dimAt = 8;
        int bucketAt = 24;
        for (int[] field :
                new int[][] {{dimAt, 17}, {dimAt, 4096}, {bucketAt, Integer.MAX_VALUE}, {bucketAt, 19_999}}) {
            byte[] c = b.clone();
            ByteBuffer.wrap(c).putInt(field[0], field[1]);
            Files.write(file, c);
            IOException e = assertThrows(IOException.class, () -> TextClassifier.load(file));
            assertTrue(
                    e.getMessage().contains(file.toString())
                            && (e.getMessage().contains("truncated")
                                    || e.getMessage().contains("unexpected bytes")
                                    || e.getMessage().contains("more input rows than fit")),
                    "field at " + field[0] + " = " + field[1] + ": " + e.getMessage());
        }
    }
}
