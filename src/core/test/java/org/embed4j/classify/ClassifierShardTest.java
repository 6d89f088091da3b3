package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.testing.ClassifierFixtures;
import org.junit.jupiter.api.Test;

/**
 * The data-parallel hooks of {@link FastTextTrainer}: passes of {@link FastTextTrainer#trainShard} from {@link
 * FastTextTrainer#initialInput} learn what {@link FastTextTrainer#train} learns, reproducibly; the progress places a
 * pass in the learning-rate schedule; bad rows, labels and matrix sizes are refused by name.
 */
class ClassifierShardTest {
    private record Shard(Dictionary dict, int[][] rows, int[][] targets, long tokens) {}

    private static Shard shard(List<LabeledText> examples, ClassifierOptions o) {
        Dictionary dict = Dictionary.build(examples, o);
        List<int[]> rows = new ArrayList<>();
        List<int[]> targets = new ArrayList<>();
        long tokens = 0;
        for (LabeledText e : examples) {
            int[] r = dict.inputRows(e.text());
            if (r.length > 0) {
                rows.add(r);
                targets.add(e.labels().stream().mapToInt(dict::labelId).toArray());
                tokens += r.length;
            }
        }
        return new Shard(dict, rows.toArray(int[][]::new), targets.toArray(int[][]::new), tokens);
    }

    private static TextClassifier trainByPasses(Shard s, FastTextTrainer t, ClassifierOptions o) {
        float[] input = t.initialInput(s.dict());
        float[] output = new float[s.dict().labels().size() * o.dim()];
        long total = s.tokens() * o.epoch();
        for (int e = 0; e < o.epoch(); e++) {
            var p = new FastTextTrainer.Progress(e * s.tokens(), 1.0, total);
            double loss = t.trainShard(s.dict(), s.rows(), s.targets(), input, output, p, 100 + e);
            assertTrue(loss > 0 && Double.isFinite(loss), "loss " + loss);
        }
        return t.model(s.dict(), input, output);
    }

    private static double accuracy(Classifier c, List<LabeledText> test) {
        int right = 0;
        for (LabeledText e : test) {
            right += c.predict(e.text(), 1).get(0).label().equals(e.label()) ? 1 : 0;
        }
        return right / (double) test.size();
    }

    @Test
    void passesLearnWhatTrainLearnsReproducibly() throws IOException {
        ClassifierOptions o = ClassifierFixtures.OPTIONS;
        List<LabeledText> train = ClassifierFixtures.read("trec-400.train.txt");
        Shard s = shard(train, o);
        TextClassifier byPasses = trainByPasses(s, new FastTextTrainer(o), o);
        TextClassifier again = trainByPasses(s, new FastTextTrainer(o), o);
        TextClassifier single = new FastTextTrainer(o).train(train);
        double a = accuracy(byPasses, train);
        double b = accuracy(single, train);
        assertTrue(a >= b - 0.03, "training accuracy by passes " + a + " vs train() " + b);
        String text = train.get(7).text();
        assertArrayEquals(byPasses.probabilities(text), again.probabilities(text));
    }

    @Test
    void progressPlacesThePassInTheLearningRateSchedule() throws IOException {
        ClassifierOptions o = ClassifierFixtures.OPTIONS;
        Shard s = shard(ClassifierFixtures.read("trec-400.train.txt"), o);
        FastTextTrainer t = new FastTextTrainer(o);
        long total = s.tokens() * 100;
        float[] early = t.initialInput(s.dict());
        float[] start = early.clone();
        float[] out1 = new float[s.dict().labels().size() * o.dim()];
        t.trainShard(s.dict(), s.rows(), s.targets(), early, out1, new FastTextTrainer.Progress(0, 1.0, total), 1);
        float[] late = start.clone();
        float[] out2 = new float[out1.length];
        // stands for 1000× its tokens, starting at 99.9% of the run: lr is 0 after the first example
        t.trainShard(
                s.dict(),
                s.rows(),
                s.targets(),
                late,
                out2,
                new FastTextTrainer.Progress(total - total / 1000, 1000, total),
                1);
        assertTrue(maxChange(start, late) < 0.01 * maxChange(start, early));
    }

    private static double maxChange(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void badInputIsRefusedByName() throws IOException {
        ClassifierOptions o = ClassifierFixtures.OPTIONS.withLoss(ClassifierLoss.HS);
        Shard s = shard(ClassifierFixtures.read("trec-400.train.txt"), o);
        FastTextTrainer t = new FastTextTrainer(o);
        float[] out = new float[s.dict().labels().size() * o.dim()];
        var p = new FastTextTrainer.Progress(0, 1.0, 10);
        float[] small = new float[o.dim()];
        var e = assertThrows(
                IllegalArgumentException.class, () -> t.trainShard(s.dict(), s.rows(), s.targets(), small, out, p, 1));
        assertTrue(e.getMessage().contains("input rows"), e.getMessage());
        float[] input = new float[s.dict().inputRows() * o.dim()];
        // hs without initialInput: the label tree is built from the dictionary on the first call
        assertTrue(t.trainShard(s.dict(), s.rows(), s.targets(), input, out, p, 1) > 0);
        int[][] badRow = {{s.dict().inputRows()}};
        var e2 = assertThrows(
                IllegalArgumentException.class,
                () -> t.trainShard(s.dict(), badRow, new int[][] {{0}}, input, out, p, 1));
        assertTrue(e2.getMessage().contains("input row " + s.dict().inputRows()), e2.getMessage());
        int labels = s.dict().labels().size();
        var e3 = assertThrows(
                IllegalArgumentException.class,
                () -> t.trainShard(s.dict(), new int[][] {{0}}, new int[][] {{labels}}, input, out, p, 1));
        assertTrue(e3.getMessage().contains("label id " + labels), e3.getMessage());
        assertEquals(0.0, t.trainShard(s.dict(), new int[0][], new int[0][], input, out, p, 1));
    }
}
