package org.embed4j.glove;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.embed4j.backend.Backends;
import org.embed4j.testing.TopicCorpus;
import org.embed4j.train.TrainingListener;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GloVe end to end: the loss and one Adagrad step against a hand computation, topic structure learnt from a
 * synthetic corpus on every backend, one-thread runs reproducible bit for bit, a resumed checkpoint ending exactly
 * where the uninterrupted run ends, and clear errors for bad input and divergence.
 */
class GloveTrainerTest {
    @TempDir
    static Path shared;

    static Path topics;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeCorpus() throws IOException {
        topics = TopicCorpus.write(shared.resolve("topics.txt"), 3000, 3);
    }

    private static String nativeOrJava() {
        try {
            Backends.get("cpu");
            return "cpu";
        } catch (IllegalStateException e) {
            return "java";
        }
    }

    private static GloveOptions.Builder small(String backend) {
        return GloveOptions.builder()
                .dim(16)
                .window(5)
                .minCount(1)
                .epochs(15)
                .threads(1)
                .seed(3)
                .batchSize(256)
                .memoryMb(64)
                .backend(backend);
    }

    @Test
    void lossAndGradientsMatchTheHandComputation() {
        // D = 2, two records. Rows are [v0, v1, bias].
        float[] w = {0.1f, -0.2f, 0.05f, 0.3f, 0.4f, -0.1f};
        float[] c = {0.2f, 0.1f, 0.02f, -0.1f, 0.2f, 0.0f};
        float[] x = {4f, 250f};
        float[] dW = new float[6];
        float[] dC = new float[6];
        double loss = GloveStep.gradients(w, c, x, 2, 2, 0.05f, 100, 0.75, dW, dC);
        // record 0: dot = 0.02 - 0.02 = 0, diff = 0 + 0.05 + 0.02 - ln 4, f = (4/100)^0.75
        double diff0 = 0.07 - Math.log(4);
        double f0 = Math.pow(0.04, 0.75);
        // record 1: dot = -0.03 + 0.08 = 0.05, diff = 0.05 - 0.1 + 0 - ln 250, f = 1 (X > xMax)
        double diff1 = 0.05 - 0.1 - Math.log(250);
        assertEquals(0.5 * f0 * diff0 * diff0 + 0.5 * diff1 * diff1, loss, 1e-6);
        double g0 = 0.05 * f0 * diff0;
        double g1 = 0.05 * diff1;
        assertArrayEquals(
                new float[] {
                    (float) (g0 * 0.2),
                    (float) (g0 * 0.1),
                    (float) g0,
                    (float) (g1 * -0.1),
                    (float) (g1 * 0.2),
                    (float) g1
                },
                dW,
                1e-6f);
        assertArrayEquals(
                new float[] {
                    (float) (g0 * 0.1),
                    (float) (g0 * -0.2),
                    (float) g0,
                    (float) (g1 * 0.3),
                    (float) (g1 * 0.4),
                    (float) g1
                },
                dC,
                1e-6f);
        assertEquals(1.0, GloveStep.weight(100, 100, 0.75));
        assertEquals(Math.pow(0.5, 0.75), GloveStep.weight(50, 100, 0.75), 1e-12);
    }

    @Test
    void oneEpochOfOneBatchIsOneAdagradStepFromTheInitialWeights() throws IOException {
        for (String backend : List.of("java", nativeOrJava())) {
            Path corpus = Files.writeString(dir.resolve("tiny.txt"), "a b c a\nb a\n");
            int d = 3;
            GloveOptions o = GloveOptions.builder()
                    .dim(d)
                    .window(2)
                    .minCount(1)
                    .epochs(1)
                    .threads(1)
                    .seed(9)
                    .lr(0.05f)
                    .backend(backend)
                    .build();
            GloveResult r = new GloveTrainer(o).train(corpus);
            // the hand-counted matrix (see CooccurrenceTest): ids a = 0, b = 1, c = 2
            int[][] cells = {{0, 1}, {1, 0}, {1, 2}, {2, 1}, {0, 2}, {2, 0}};
            float[] xs = {2.5f, 2.5f, 1f, 1f, 1.5f, 1.5f};
            assertEquals(6, r.records());
            int width = d + 1;
            float[] w0;
            float[] c0;
            try (GloveWeights init = GloveWeights.init(3, d, GloveOptions.Adagrad.ELEMENTWISE, 9)) {
                w0 = init.w.toFloatArray();
                c0 = init.c.toFloatArray();
            }
            double loss = 0;
            double[] gw = new double[3 * width];
            double[] gc = new double[3 * width];
            for (int k = 0; k < cells.length; k++) {
                int i = cells[k][0];
                int j = cells[k][1];
                double dot = 0;
                for (int e = 0; e < d; e++) {
                    dot += (double) w0[i * width + e] * c0[j * width + e];
                }
                double diff = dot + w0[i * width + d] + c0[j * width + d] - Math.log(xs[k]);
                double f = Math.pow(xs[k] / 100.0, 0.75);
                loss += 0.5 * f * diff * diff;
                double g = 0.05 * f * diff;
                for (int e = 0; e < d; e++) {
                    gw[i * width + e] += g * c0[j * width + e];
                    gc[j * width + e] += g * w0[i * width + e];
                }
                gw[i * width + d] += g;
                gc[j * width + d] += g;
            }
            assertEquals(loss / 6, r.finalLoss(), 1e-6, backend);
            // Adagrad, sums starting at 1: w -= g / sqrt(1 + g^2); output W + C without the biases
            for (int row = 0; row < 3; row++) {
                float[] v = r.vectors().vector(r.vocabulary().word(row));
                for (int e = 0; e < d; e++) {
                    int at = row * width + e;
                    double w1 = w0[at] - gw[at] / Math.sqrt(1 + gw[at] * gw[at]);
                    double c1 = c0[at] - gc[at] / Math.sqrt(1 + gc[at] * gc[at]);
                    assertEquals(w1 + c1, v[e], 1e-6, backend + " row " + row + " element " + e);
                }
            }
        }
    }

    @Test
    void learnsTheTopicsOnEveryBackendAndOneThreadIsReproducible() throws IOException {
        Set<String> backends = new HashSet<>(List.of("java", nativeOrJava()));
        for (String backend : backends) {
            GloveResult r = new GloveTrainer(small(backend).build()).train(topics);
            assertTopics(r.vectors(), backend);
            assertTrue(
                    r.epochLosses()[14] < r.epochLosses()[0] * 0.5,
                    "loss falls: " + List.of(r.epochLosses()[0], r.epochLosses()[14]));
            GloveResult again = new GloveTrainer(small(backend).build()).train(topics);
            for (String word : r.vectors().words()) {
                assertArrayEquals(r.vectors().vector(word), again.vectors().vector(word), backend + " " + word);
            }
        }
    }

    @Test
    void rowwiseAdagradAndTwoThreadsLearnTheTopicsToo() throws IOException {
        GloveResult rowwise = new GloveTrainer(small(nativeOrJava())
                        .adagrad(GloveOptions.Adagrad.ROWWISE)
                        .build())
                .train(topics);
        assertTopics(rowwise.vectors(), "rowwise");
        GloveResult hogwild = new GloveTrainer(small(nativeOrJava()).threads(2).build()).train(topics);
        assertTopics(hogwild.vectors(), "2 threads");
        GloveResult wordOnly = new GloveTrainer(
                        small(nativeOrJava()).output(GloveOptions.Output.WORD).build())
                .train(topics);
        assertTopics(wordOnly.vectors(), "W only");
    }

    /** Each topic word's 3 nearest neighbours are in its topic, for at least 90% of the topic words. */
    private static void assertTopics(WordVectors v, String what) {
        int good = 0;
        int total = 0;
        for (String topic : TopicCorpus.TOPICS) {
            Set<String> members = Set.of(topic.split(" "));
            for (String word : members) {
                for (Neighbor n : v.nearest(word, 3)) {
                    total++;
                    good += members.contains(n.word()) ? 1 : 0;
                }
            }
        }
        assertTrue(good >= 0.9 * total, what + ": " + good + " of " + total + " neighbours in the word's topic");
    }

    @Test
    void aResumedCheckpointEndsBitForBitWhereTheUninterruptedRunEnds() throws IOException {
        String backend = nativeOrJava();
        GloveResult whole = new GloveTrainer(small(backend).epochs(4).build()).train(topics);

        Path ckpt = dir.resolve("run.ckpt");
        List<Object> epochsSeen = new ArrayList<>();
        TrainingListener epochs = new TrainingListener() {
            @Override
            public void onMetrics(Map<String, Object> record) {
                if (record.containsKey("epoch_loss")) {
                    epochsSeen.add(record.get("epoch"));
                }
            }
        };
        GloveResult first = new GloveTrainer(small(backend).epochs(1).build(), epochs)
                .checkpoint(ckpt)
                .train(topics);
        assertTrue(Files.isRegularFile(ckpt));
        assertTrue(Files.isRegularFile(dir.resolve("run.ckpt.cooccur")), "the matrix is kept for the resume");
        assertEquals(whole.epochLosses()[0], first.epochLosses()[0]);
        GloveResult resumed = new GloveTrainer(small(backend).epochs(4).build(), epochs)
                .checkpoint(ckpt)
                .resume(true)
                .train(topics);
        assertEquals(List.of(1, 2, 3, 4), epochsSeen, "the resumed run trains epochs 2 to 4 only");
        assertArrayEquals(whole.epochLosses(), resumed.epochLosses());
        for (String word : whole.vectors().words()) {
            assertArrayEquals(whole.vectors().vector(word), resumed.vectors().vector(word), word);
        }
        IllegalArgumentException other = assertThrows(
                IllegalArgumentException.class,
                () -> new GloveTrainer(small(backend).dim(8).build())
                        .checkpoint(ckpt)
                        .resume(true)
                        .train(topics));
        assertTrue(other.getMessage().contains("dim=16") && other.getMessage().contains("dim=8"), other.getMessage());
    }

    @Test
    void divergenceFailsNamingTheBatchOrTheWeight() throws IOException {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> new GloveTrainer(small(nativeOrJava()).lr(1e38f).epochs(3).build()).train(topics));
        assertTrue(e.getMessage().contains("diverged"), e.getMessage());
    }

    @Test
    void badInputIsRefusedWithAClearMessage() throws IOException {
        assertThrows(
                NoSuchFileException.class, () -> new GloveTrainer(small("java").build()).train(dir.resolve("none")));
        Path one = Files.writeString(dir.resolve("one.txt"), "only only only\n");
        IllegalArgumentException few = assertThrows(
                IllegalArgumentException.class,
                () -> new GloveTrainer(small("java").build()).train(one));
        assertTrue(few.getMessage().contains("need at least 2"), few.getMessage());
        IllegalArgumentException dim = assertThrows(
                IllegalArgumentException.class, () -> small("java").dim(0).build());
        assertEquals("dim must be in [1, 65536], got 0", dim.getMessage());
        IllegalArgumentException xmax = assertThrows(
                IllegalArgumentException.class, () -> small("java").xMax(-1).build());
        assertTrue(xmax.getMessage().startsWith("xMax must be > 0"), xmax.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new GloveTrainer(small("java").build()).resume(true).train(topics));
    }
}
