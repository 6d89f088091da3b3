package org.embed4j.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.embed4j.backend.Backends;
import org.embed4j.testing.TopicCorpus;
import org.embed4j.text.Vocabulary;
import org.embed4j.train.MetricsLog;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The word2vec options beyond negative sampling, end to end on the synthetic topic corpus: hierarchical softmax
 * (alone and beside negatives, skip-gram and CBOW over the mean or the sum) must put each topic word's neighbours in
 * its topic; with one thread a hierarchical-softmax run is reproducible bit for bit and the Java and native backends
 * agree; a vocabulary saved and read back trains the same model, and a smaller one leaves its missing words out;
 * the learning rate ends at --min-lr.
 */
class Word2VecOptionsTrainerTest {
    private static final List<String> TOPICS = TopicCorpus.TOPICS;

    @TempDir
    static Path dir;

    static Path corpus;

    @BeforeAll
    static void writeCorpus() throws IOException {
        corpus = TopicCorpus.write(dir.resolve("topics.txt"), 3000, 5);
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

    @ParameterizedTest(name = "{0} negative={1} cbowMean={2}")
    @CsvSource({"SG,0,true", "SG,5,true", "CBOW,0,true", "CBOW,0,false", "CBOW,5,false"})
    void hierarchicalSoftmaxFindsTopicNeighbours(Word2VecOptions.Model model, int negative, boolean cbowMean)
            throws IOException {
        Word2VecOptions o = small(nativeOrJava())
                .withModel(model)
                .withHs(true)
                .withNegative(negative)
                .withCbowMean(cbowMean);
        if (!cbowMean) {
            o = o.withLr(0.01f); // a sum of up to 10 contexts: word2vec's CBOW rate would overshoot
        }
        Word2VecResult r = new Word2VecTrainer(o).train(corpus);
        double p = topicPrecision(r.vectors());
        assertTrue(p >= 0.85, model + " topic precision " + p);
        assertTrue(r.finalLoss() > 0 && Double.isFinite(r.finalLoss()), "final loss " + r.finalLoss());
    }

    @Test
    void hierarchicalSoftmaxWithOneThreadIsReproducibleBitForBit() throws IOException {
        Word2VecOptions o = small(nativeOrJava()).withHs(true).withNegative(0);
        WordVectors a = new Word2VecTrainer(o).train(corpus).vectors();
        WordVectors b = new Word2VecTrainer(o).train(corpus).vectors();
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.vector(i), b.vector(i), "row " + i);
        }
    }

    @Test
    void javaAndNativeHierarchicalSoftmaxAgree() throws IOException {
        Assumptions.assumeTrue(nativeOrJava().equals("cpu"), "native CPU backend unavailable");
        Word2VecOptions o = small("java").withHs(true).withNegative(0).withEpochs(1);
        WordVectors j = new Word2VecTrainer(o).train(corpus).vectors();
        WordVectors n = new Word2VecTrainer(o.withBackend("cpu")).train(corpus).vectors();
        for (String w : List.of("apple", "bus", "red", "dog", "the")) {
            float[] a = j.vector(w);
            float[] b = n.vector(w);
            for (int k = 0; k < a.length; k++) {
                assertEquals(a[k], b[k], 1e-3 + 1e-2 * Math.abs(a[k]), w + "[" + k + "]");
            }
        }
    }

    @Test
    void aSavedVocabularyReadBackTrainsTheSameModel() throws IOException {
        Word2VecOptions o = small(nativeOrJava()).withEpochs(1);
        Word2VecResult counted = new Word2VecTrainer(o).train(corpus);
        Path vocabFile = dir.resolve("vocab.txt");
        counted.vocabulary().write(vocabFile);
        assertEquals(counted.vocabulary().size(), Files.readAllLines(vocabFile).size());
        Vocabulary read = Vocabulary.read(vocabFile);
        assertEquals(counted.vocabulary().words(), read.words());
        Word2VecResult again = new Word2VecTrainer(o).train(corpus, read);
        for (int i = 0; i < counted.vectors().size(); i++) {
            assertArrayEquals(counted.vectors().vector(i), again.vectors().vector(i), "row " + i);
        }
        // a fixed vocabulary without the fruit: they are skipped, the rest is trained
        Map<String, Long> counts = new java.util.HashMap<>();
        List<String> fruit = List.of(TOPICS.get(0).split(" "));
        for (int i = 0; i < read.size(); i++) {
            if (!fruit.contains(read.word(i))) {
                counts.put(read.word(i), read.count(i));
            }
        }
        Word2VecResult fixed = new Word2VecTrainer(o).train(corpus, Vocabulary.of(counts, 1, Integer.MAX_VALUE));
        assertEquals(-1, fixed.vectors().indexOf("apple"));
        assertEquals(read.size() - 8, fixed.vectors().size());
    }

    @Test
    void readingAMalformedVocabularyNamesTheLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad-vocab.txt"), "the 10\n</s> 3\nred x\n");
        var e = assertThrows(IOException.class, () -> Vocabulary.read(bad));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        Path twice = Files.writeString(dir.resolve("twice-vocab.txt"), "the 10\nthe 3\n");
        e = assertThrows(IOException.class, () -> Vocabulary.read(twice));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void theLearningRateEndsAtMinLr() throws IOException {
        Word2VecOptions o = small(nativeOrJava()).withLr(0.05f).withMinLr(0.01f);
        assertEquals(0.05f, o.learningRate(0), 0f);
        assertEquals(0.03f, o.learningRate(0.5), 1e-7f);
        assertEquals(0.01f, o.learningRate(1), 1e-7f);
        assertEquals(0.025f * 1e-4f, small("java").learningRate(1.5), 1e-9f, "word2vec's floor without minLr");
        Path metrics = dir.resolve("minlr.metrics.jsonl");
        try (MetricsLog log = new MetricsLog(metrics)) {
            new Word2VecTrainer(o, log).train(corpus);
        }
        String last = Files.readAllLines(metrics).getLast();
        var m = java.util.regex.Pattern.compile("\"lr\":([-0-9.eE]+)").matcher(last);
        assertTrue(m.find(), last);
        assertEquals(0.01, Double.parseDouble(m.group(1)), 1e-6, last);
    }

    @Test
    void noOutputLayerAndABadMinLrAreRefused() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new Word2VecTrainer(Word2VecOptions.defaults().withNegative(0)));
        assertTrue(e.getMessage().contains("--hs"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new Word2VecTrainer(Word2VecOptions.defaults().withMinLr(0.5f)));
        assertTrue(e.getMessage().contains("minLr"), e.getMessage());
    }

    /** Share of topic words whose 3 nearest neighbours are words of the same topic. */
    static double topicPrecision(WordVectors v) {
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
