package org.embed4j.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.embed4j.backend.Backends;
import org.embed4j.testing.TopicCorpus;
import org.embed4j.train.MetricsLog;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end training on a synthetic corpus with known structure: 4 topics of 8 words, each sentence drawn
 * from one topic plus shared function words. A trained model must put each topic word's nearest neighbours
 * in its own topic; the Java and native backends must agree on those neighbours; --threads 1 must be
 * reproducible bit for bit; divergence must fail with an error naming the step.
 */
class Word2VecTrainerTest {
    private static final List<String> TOPICS = TopicCorpus.TOPICS;

    @TempDir
    static Path dir;

    static Path corpus;

    @BeforeAll
    static void writeCorpus() throws IOException {
        corpus = TopicCorpus.write(dir.resolve("topics.txt"), 3000, 3);
    }

    private static Word2VecOptions small(String backend) {
        return Word2VecOptions.defaults()
                .withDim(24)
                .withMinCount(1)
                .withSample(0)
                .withEpochs(3)
                .withThreads(1)
                .withSeed(7)
                .withNegTableSize(100_000)
                .withBackend(backend);
    }

    private static String nativeOrJava() {
        try {
            Backends.get("cpu");
            return "cpu";
        } catch (IllegalStateException e) {
            return "java";
        }
    }

    @Test
    void skipGramFindsTopicNeighboursAndWritesMetrics() throws IOException {
        Path metrics = dir.resolve("out/topics.metrics.jsonl");
        Word2VecResult r;
        try (MetricsLog log = new MetricsLog(metrics)) {
            r = new Word2VecTrainer(small(nativeOrJava()), log).train(corpus);
        }
        assertEquals(38, r.vectors().size());
        assertTrue(topicPrecision(r.vectors()) >= 0.9, "topic precision " + topicPrecision(r.vectors()));
        assertTrue(r.finalLoss() > 0 && r.finalLoss() < 3, "final loss " + r.finalLoss());
        assertEquals(3L * r.vocabulary().totalCount(), r.words());
        List<String> lines = Files.readAllLines(metrics);
        assertTrue(!lines.isEmpty() && lines.getLast().contains("\"loss\":"), String.join("\n", lines));
    }

    @Test
    void cbowWithSubwordsGivesOutOfVocabularyVectors() throws IOException {
        Word2VecOptions o =
                small(nativeOrJava()).withModel(Word2VecOptions.Model.CBOW).withSubwords(3, 5, 5000);
        Word2VecResult r = new Word2VecTrainer(o).train(corpus);
        assertTrue(r.vectors().hasSubwords());
        assertTrue(topicPrecision(r.vectors()) >= 0.75, "topic precision " + topicPrecision(r.vectors()));
        float[] oov = r.vectors().vector("grapes");
        double norm = 0;
        for (float f : oov) {
            norm += f * f;
        }
        assertTrue(norm > 0, "OOV vector is zero");
        assertTrue(r.vectors().similarity("grapes", "grape") > r.vectors().similarity("grapes", "truck"));
    }

    @Test
    void oneThreadIsReproducibleBitForBit() throws IOException {
        Word2VecResult a = new Word2VecTrainer(small(nativeOrJava())).train(corpus);
        Word2VecResult b = new Word2VecTrainer(small(nativeOrJava())).train(corpus);
        for (int i = 0; i < a.vectors().size(); i++) {
            assertArrayEquals(a.vectors().vector(i), b.vectors().vector(i), "row " + i);
        }
    }

    @Test
    void replayedEpochsTrainWhatReReadEpochsTrain() throws IOException {
        Word2VecOptions o = small(nativeOrJava()).withSample(1e-3);
        Word2VecResult read = new Word2VecTrainer(o).chunkCacheBytes(0).train(corpus);
        Word2VecResult replayed = new Word2VecTrainer(o).train(corpus);
        Word2VecResult dropped = new Word2VecTrainer(o).chunkCacheBytes(50_000).train(corpus); // passed mid-epoch
        assertEquals(read.words(), replayed.words());
        for (int i = 0; i < read.vectors().size(); i++) {
            assertArrayEquals(read.vectors().vector(i), replayed.vectors().vector(i), "row " + i);
            assertArrayEquals(read.vectors().vector(i), dropped.vectors().vector(i), "row " + i);
        }
    }

    @Test
    void javaAndNativeBackendsFindTheSameNeighbours() throws IOException {
        Assumptions.assumeTrue(nativeOrJava().equals("cpu"), "native CPU backend unavailable");
        WordVectors j =
                new Word2VecTrainer(small("java").withEpochs(2)).train(corpus).vectors();
        WordVectors n =
                new Word2VecTrainer(small("cpu").withEpochs(2)).train(corpus).vectors();
        int same = 0;
        int total = 0;
        for (String t : TOPICS) {
            for (String w : t.split(" ")) {
                same += neighbours(j, w, 3).equals(neighbours(n, w, 3)) ? 1 : 0;
                total++;
            }
        }
        assertTrue(same >= total - 1, same + " of " + total + " words have the same 3 neighbours");
        float[] a = j.vector("apple");
        float[] b = n.vector("apple");
        for (int k = 0; k < a.length; k++) {
            assertEquals(a[k], b[k], 1e-3 + 1e-2 * Math.abs(a[k]), "apple[" + k + "]");
        }
    }

    @Test
    void divergenceStopsWithTheStep() {
        Word2VecOptions o = small(nativeOrJava()).withLr(1e30f);
        var e = assertThrows(IllegalStateException.class, () -> new Word2VecTrainer(o).train(corpus));
        assertTrue(e.getMessage().contains("diverged") && e.getMessage().contains("step"), e.getMessage());
    }

    @Test
    void badOptionsAreNamed() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new Word2VecTrainer(Word2VecOptions.defaults().withWindow(0)));
        assertTrue(e.getMessage().contains("window"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Word2VecOptions.Model.parse("glove"));
    }

    private static Set<String> neighbours(WordVectors v, String w, int k) {
        Set<String> s = new HashSet<>();
        for (Neighbor n : v.nearest(w, k)) {
            s.add(n.word());
        }
        return s;
    }

    /** Share of topic words whose 3 nearest neighbours are words of the same topic. */
    private static double topicPrecision(WordVectors v) {
        int hit = 0;
        int all = 0;
        for (String t : TOPICS) {
            List<String> members = new ArrayList<>(List.of(t.split(" ")));
            for (String w : members) {
                for (Neighbor n : v.nearest(w, 3)) {
                    hit += members.contains(n.word()) ? 1 : 0;
                    all++;
                }
            }
        }
        return hit / (double) all;
    }
}
