package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-vs-all on a synthetic multi-label set whose answer is known: "sports" words make label sports, "money"
 * words label business, a text with both kinds carries both labels; filler words carry nothing.
 */
class MultiLabelTest {
    private static final String[] SPORTS = {"goal", "match", "striker", "league", "coach"};
    private static final String[] MONEY = {"shares", "profit", "bank", "market", "invest"};
    private static final String[] FILLER = {"the", "a", "today", "news", "report", "about", "new"};

    private static List<LabeledText> examples(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int kind = rng.nextInt(3); // 0 sports, 1 business, 2 both
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 6; w++) {
                String word = switch (w % 3) {
                    case 0 -> kind != 1 ? SPORTS[rng.nextInt(SPORTS.length)] : FILLER[rng.nextInt(FILLER.length)];
                    case 1 -> kind != 0 ? MONEY[rng.nextInt(MONEY.length)] : FILLER[rng.nextInt(FILLER.length)];
                    default -> FILLER[rng.nextInt(FILLER.length)];
                };
                sb.append(word).append(' ');
            }
            List<String> labels =
                    kind == 0 ? List.of("sports") : kind == 1 ? List.of("business") : List.of("sports", "business");
            out.add(new LabeledText(labels, sb.toString().trim()));
        }
        return out;
    }

    private static Set<String> labelsAboveHalf(TextClassifier c, String text) {
        return c.predict(text, 2, 0.5).stream().map(Prediction::label).collect(Collectors.toSet());
    }

    @Test
    void oneVsAllRecoversEveryLabelSet(@TempDir Path dir) throws Exception {
        ClassifierOptions o =
                ClassifierOptions.DEFAULTS.withDim(8).withEpoch(20).withLr(0.5f).withLoss(ClassifierLoss.OVA);
        TextClassifier c = new FastTextTrainer(o).train(examples(300, 1));
        int exact = 0;
        List<LabeledText> test = examples(100, 2);
        for (LabeledText e : test) {
            if (labelsAboveHalf(c, e.text()).equals(Set.copyOf(e.labels()))) {
                exact++;
            }
        }
        assertTrue(exact >= 95, exact + " of 100 label sets recovered exactly");
        float[] p = c.probabilities("goal profit");
        assertTrue(p[0] > 0.5 && p[1] > 0.5, "both labels expected: " + java.util.Arrays.toString(p));
        // P@2 and R@2 on the multi-label test set: R@2 counts every gold label of the 'both' examples
        ClassifierMetrics m = ClassifierMetrics.evaluate(c, test, 2);
        assertTrue(m.recallAtK() > 0.99, "R@2 " + m.recallAtK());

        Path file = dir.resolve("ova.e4jc");
        c.save(file);
        TextClassifier loaded = TextClassifier.load(file);
        assertEquals(ClassifierLoss.OVA, loaded.options().loss());
        for (LabeledText e : test) {
            assertEquals(c.predict(e.text(), 2), loaded.predict(e.text(), 2));
        }
    }

    @Test
    void lossNamesParseLikeFastText() {
        assertEquals(ClassifierLoss.OVA, ClassifierLoss.parse("ova"));
        assertEquals(ClassifierLoss.SOFTMAX, ClassifierLoss.parse("softmax"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> ClassifierLoss.parse("hsm"));
        assertTrue(e.getMessage().contains("hsm"), e.getMessage());
    }
}
