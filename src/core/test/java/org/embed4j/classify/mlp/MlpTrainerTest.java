package org.embed4j.classify.mlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.embed4j.backend.Backends;
import org.embed4j.classify.LabeledText;
import org.embed4j.testing.MlpFixtures;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;

/** Training on the TREC fixture: accuracy, early stopping on the dev split, pretrained rows. */
class MlpTrainerTest {

    @Test
    void testAccuracyIsWellAboveTheMajorityClass() throws Exception {
        List<LabeledText> test = MlpFixtures.test();
        Map<String, Integer> counts = new HashMap<>();
        test.forEach(e -> counts.merge(e.label(), 1, Integer::sum));
        // the best a text-blind classifier can do is to always answer the most frequent test label
        double majority = Collections.max(counts.values()) / (double) test.size();
        double accuracy = MlpFixtures.accuracy(MlpFixtures.trained().classifier(), test);
        assertTrue(
                accuracy >= majority + (1 - majority) / 2, "accuracy " + accuracy + " vs majority class " + majority);
    }

    @Test
    void earlyStoppingKeepsTheBestDevEpoch() throws Exception {
        MlpTrainer.Result r = MlpFixtures.trained();
        MlpConfig c = MlpFixtures.CONFIG;
        assertEquals(Math.round(400 * c.devFraction()), r.devExamples());
        assertEquals(400 - r.devExamples(), r.trainExamples());
        assertEquals(r.epochLoss().size(), r.devAccuracy().size());
        double best = Collections.max(r.devAccuracy());
        assertEquals(best, r.devAccuracy().get(r.bestEpoch() - 1));
        assertEquals(r.bestEpoch() - 1, r.devAccuracy().indexOf(best), "the first epoch with the best dev accuracy");
        // stopped either at the epoch limit or after `patience` epochs without a better one
        int run = r.epochLoss().size();
        assertTrue(run == c.epochs() || run - r.bestEpoch() == c.patience(), "ran " + run + ", best " + r.bestEpoch());
        assertTrue(r.bestEpoch() < run, "this fixture overfits before the epoch limit; best " + r.bestEpoch());

        // the kept weights are those after epoch `bestEpoch`: training exactly that long gives the same model
        MlpConfig shorter = new MlpConfig(
                r.bestEpoch(),
                c.batchSize(),
                c.dim(),
                c.hidden(),
                c.lr(),
                c.seed(),
                c.dropout(),
                c.minCount(),
                c.wordNgrams(),
                c.devFraction(),
                c.patience());
        MlpClassifier replay = new MlpTrainer(shorter, Backends.auto())
                .train(MlpFixtures.train())
                .classifier();
        for (LabeledText e : MlpFixtures.test()) {
            assertArrayEquals(r.classifier().probabilities(e.text()), replay.probabilities(e.text()), e.text());
        }
    }

    @Test
    void withoutDevSplitEveryEpochRunsAndTheLastIsKept() throws Exception {
        MlpConfig c = MlpFixtures.CONFIG;
        MlpConfig noDev = new MlpConfig(
                3,
                c.batchSize(),
                c.dim(),
                c.hidden(),
                c.lr(),
                c.seed(),
                c.dropout(),
                c.minCount(),
                c.wordNgrams(),
                0f,
                c.patience());
        MlpTrainer.Result r = new MlpTrainer(noDev, Backends.auto()).train(MlpFixtures.train());
        assertEquals(0, r.devExamples());
        assertEquals(400, r.trainExamples());
        assertEquals(3, r.epochLoss().size());
        assertTrue(r.devAccuracy().isEmpty());
        assertEquals(3, r.bestEpoch());
    }

    @Test
    void frozenPretrainedRowsStayFixedAndTrainableOnesMove() throws Exception {
        MlpConfig c = MlpFixtures.CONFIG;
        MlpConfig config = new MlpConfig(
                3,
                c.batchSize(),
                c.dim(),
                c.hidden(),
                c.lr(),
                c.seed(),
                c.dropout(),
                c.minCount(),
                c.wordNgrams(),
                0f,
                c.patience());
        List<String> words = List.of("what", "who", "where", "how", "city", "notinthefixture");
        float[] rows = new float[words.size() * c.dim()];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) rng.nextGaussian();
        }
        WordVectors vectors = WordVectors.of(words, rows, c.dim());
        MlpClassifier frozen = new MlpTrainer(config, Backends.auto())
                .pretrained(vectors, true)
                .train(MlpFixtures.train())
                .classifier();
        MlpClassifier tuned = new MlpTrainer(config, Backends.auto())
                .pretrained(vectors, false)
                .train(MlpFixtures.train())
                .classifier();
        for (String w : words.subList(0, 5)) {
            float[] expected = vectors.vector(w);
            assertArrayEquals(expected, row(frozen, w), "frozen row of " + w);
            assertFalse(Arrays.equals(expected, row(tuned, w)), "fine-tuned row of " + w + " moved");
        }
        // the words the vectors know take the leading rows (one block to restore); unseen words get no row
        assertEquals(Set.copyOf(words.subList(0, 5)), Set.copyOf(frozen.words().subList(0, 5)));
        assertFalse(frozen.words().contains("notinthefixture"));
    }

    private static float[] row(MlpClassifier c, String word) {
        int i = c.words().indexOf(word);
        int d = c.config().dim();
        return Arrays.copyOfRange(c.embedding(), i * d, (i + 1) * d);
    }
}
