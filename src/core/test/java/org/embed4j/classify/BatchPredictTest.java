package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.embed4j.deploy.Precision;
import org.embed4j.testing.ClassifierFixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The caller-buffer calls: the same numbers as one text at a time, from any number of threads, bounded allocation. */
class BatchPredictTest {

    private static List<String> texts() throws Exception {
        List<String> texts = new ArrayList<>();
        for (LabeledText e : ClassifierFixtures.read("trec-150.test.txt")) {
            texts.add(e.text());
        }
        texts.add("");
        return texts;
    }

    private static List<TextClassifier> models(Path dir) throws Exception {
        TextClassifier trained = ClassifierFixtures.trec();
        Path file = dir.resolve("trec.e4jc");
        trained.quantize(Precision.INT8).save(file);
        TextClassifier hs = new FastTextTrainer(
                        ClassifierFixtures.OPTIONS.withLoss(ClassifierLoss.HS).withEpoch(5))
                .train(ClassifierFixtures.read("trec-400.train.txt"));
        return List.of(trained, TextClassifier.load(file), hs);
    }

    @Test
    void batchResultsAreThoseOfOneTextAtATime(@TempDir Path dir) throws Exception {
        List<String> texts = texts();
        for (TextClassifier model : models(dir)) {
            int k = model.labels().size();
            float[] all = new float[texts.size() * k + 3]; // longer than needed: the tail stays untouched
            Arrays.fill(all, -1f);
            model.probabilities(texts, all);
            int[] ids = new int[texts.size()];
            float[] best = new float[texts.size()];
            model.predictTop1(texts, ids, best);
            for (int i = 0; i < texts.size(); i++) {
                String t = texts.get(i);
                float[] one = model.probabilities(t);
                assertArrayEquals(one, Arrays.copyOfRange(all, i * k, (i + 1) * k), 0f, t);
                Prediction top = model.predict(t, 1).get(0);
                assertEquals(top.label(), model.labels().get(ids[i]), t);
                assertEquals(top.probability(), best[i], 0.0, t);
                float[] at = new float[k + 2];
                model.probabilities(t, at, 2);
                assertArrayEquals(one, Arrays.copyOfRange(at, 2, k + 2), 0f, t);
            }
            assertArrayEquals(new float[] {-1f, -1f, -1f}, Arrays.copyOfRange(all, texts.size() * k, all.length));
            int[] onlyIds = new int[texts.size()];
            model.predictTop1(texts, onlyIds, null);
            assertArrayEquals(ids, onlyIds);
        }
    }

    @Test
    void badBuffersAreRefused() throws Exception {
        TextClassifier model = ClassifierFixtures.trec();
        int k = model.labels().size();
        List<String> two = List.of("a", "b");
        var e = assertThrows(IllegalArgumentException.class, () -> model.probabilities(two, new float[2 * k - 1]));
        assertTrue(e.getMessage().contains(String.valueOf(2 * k - 1)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.predictTop1(two, new int[1], null));
        assertThrows(IllegalArgumentException.class, () -> model.predictTop1(two, new int[2], new float[1]));
        assertThrows(IndexOutOfBoundsException.class, () -> model.probabilities("a", new float[k], 1));
        var npe = assertThrows(
                NullPointerException.class, () -> model.probabilities(Arrays.asList("a", null), new float[2 * k]));
        assertTrue(npe.getMessage().contains("text 1"), npe.getMessage());
    }

    @Test
    void eightThreadsGetTheSequentialResults(@TempDir Path dir) throws Exception {
        List<String> texts = texts();
        TextClassifier model = models(dir).get(1); // mapped int8
        int k = model.labels().size();
        float[] expected = new float[texts.size() * k];
        model.probabilities(texts, expected);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    float[] mine = new float[texts.size() * k];
                    for (int round = 0; round < 20; round++) { // long enough for the threads to overlap
                        model.probabilities(texts, mine);
                        if (!Arrays.equals(mine, expected)) {
                            break;
                        }
                    }
                    return mine;
                }));
            }
            for (Future<float[]> r : results) {
                assertArrayEquals(expected, r.get(), 0f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A model of random weights with {@code words} words "w0".. and {@code buckets} bigram buckets, loaded mapped. */
    private static TextClassifier randomModel(Path dir, int words, int buckets) throws Exception {
        int dim = 16;
        ClassifierOptions o =
                ClassifierOptions.DEFAULTS.withDim(dim).withWordNgrams(2).withBucket(buckets);
        List<String> vocab = new ArrayList<>();
        for (int i = 0; i < words; i++) {
            vocab.add("w" + i);
        }
        vocab.add(Dictionary.EOS);
        List<String> labels = List.of("a", "b", "c", "d", "e");
        Dictionary dict = new Dictionary(vocab, labels, 2, buckets, false);
        SplittableRandom r = new SplittableRandom(words);
        float[] input = new float[dict.inputRows() * dim];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextDouble(-1, 1);
        }
        float[] output = new float[labels.size() * dim];
        for (int i = 0; i < output.length; i++) {
            output[i] = (float) r.nextDouble(-1, 1);
        }
        Path file = dir.resolve("random-" + words + "-" + buckets + ".e4jc");
        new TextClassifier(o, dict, input, output).save(file);
        return TextClassifier.load(file);
    }

    /** Texts of 20 tokens each: known words, unknown words, punctuation. */
    private static List<String> twentyTokenTexts(int n) {
        List<String> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder();
            for (int t = 0; t < 19; t++) {
                b.append(t % 5 == 4 ? "unknown" + t : "w" + r.nextInt(900)).append(' ');
            }
            out.add(b.append('!').toString());
        }
        return out;
    }

    private static long bytesPerText(TextClassifier model, List<String> texts) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int[] ids = new int[texts.size()];
        float[] probs = new float[texts.size()];
        int calls = 20_000 / texts.size();
        for (int i = 0; i < calls; i++) { // warm-up: JIT and the per-thread scratch
            model.predictTop1(texts, ids, probs);
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < calls; i++) {
            model.predictTop1(texts, ids, probs);
        }
        long after = mx.getThreadAllocatedBytes(tid);
        return (after - before) / ((long) calls * texts.size());
    }

    @Test
    void allocationPerTextIsBoundedAndIndependentOfTheModelAndTheBatch(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(
                ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean");
        TextClassifier small = randomModel(dir, 1_000, 10_000);
        TextClassifier big = randomModel(dir, 40_000, 400_000);
        long smallBytes = bytesPerText(small, twentyTokenTexts(16));
        long bigBytes = bytesPerText(big, twentyTokenTexts(16));
        long bigBatchBytes = bytesPerText(big, twentyTokenTexts(200));
        // 20 tokens: a string and its UTF-8 bytes each, about 100 bytes; copying a 16-float row per input row
        // (40 per text) or an array per text would show
        long bound = 20 * 120 + 256;
        assertTrue(smallBytes < bound, "small model: " + smallBytes + " bytes per text");
        assertTrue(bigBytes < bound, "big model: " + bigBytes + " bytes per text");
        assertTrue(Math.abs(bigBytes - smallBytes) < 64, smallBytes + " vs " + bigBytes + " bytes per text");
        assertTrue(
                Math.abs(bigBatchBytes - bigBytes) < 64,
                "batch of 16: " + bigBytes + ", of 200: " + bigBatchBytes + " bytes per text");
    }
}
