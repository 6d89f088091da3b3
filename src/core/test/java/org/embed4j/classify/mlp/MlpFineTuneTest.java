package org.embed4j.classify.mlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.embed4j.backend.Backends;
import org.embed4j.classify.LabeledText;
import org.embed4j.testing.MlpFixtures;
import org.junit.jupiter.api.Test;

/**
 * Fine-tuning the MLP ({@link MlpTrainer#initFrom}): a new label is learnt from new data, old terms and labels keep
 * their ids, embedding rows of terms the new data lacks stay bit for bit (Adam moves no row without a gradient),
 * and another shape is refused.
 */
class MlpFineTuneTest {
    private static final MlpConfig CONFIG = MlpFixtures.CONFIG;

    @Test
    void aNewLabelIsLearntAndUntouchedRowsStay() throws IOException {
        List<LabeledText> all = MlpFixtures.train();
        List<LabeledText> test = MlpFixtures.test();
        List<LabeledText> oldData = all.subList(0, 200).stream()
                .filter(e -> !e.label().equals("NUM"))
                .toList();
        List<LabeledText> newData = all.subList(200, 400);
        MlpClassifier old =
                new MlpTrainer(CONFIG, Backends.get("java")).train(oldData).classifier();
        MlpClassifier tuned = new MlpTrainer(CONFIG, Backends.get("java"))
                .initFrom(old)
                .train(newData)
                .classifier();
        assertEquals(old.labels(), tuned.labels().subList(0, old.labels().size()));
        assertEquals("NUM", tuned.labels().getLast());
        assertEquals(old.words(), tuned.words().subList(0, old.words().size()));
        assertTrue(tuned.words().size() > old.words().size());

        Set<String> newTerms = new HashSet<>();
        newData.forEach(e -> newTerms.addAll(MlpClassifier.terms(e.text(), CONFIG.wordNgrams())));
        int d = CONFIG.dim();
        int untouched = 0;
        for (int w = 0; w < old.words().size(); w++) {
            if (!newTerms.contains(old.words().get(w))) {
                assertArrayEquals(
                        Arrays.copyOfRange(old.embedding(), w * d, w * d + d),
                        Arrays.copyOfRange(tuned.embedding(), w * d, w * d + d),
                        old.words().get(w));
                untouched++;
            }
        }
        assertTrue(untouched > 50, "terms only the old data has: " + untouched);
        List<LabeledText> numTest =
                test.stream().filter(e -> e.label().equals("NUM")).toList();
        assertEquals(0.0, MlpFixtures.accuracy(old, numTest));
        assertTrue(MlpFixtures.accuracy(tuned, numTest) > 0.1, "NUM: " + MlpFixtures.accuracy(tuned, numTest));
        assertTrue(MlpFixtures.accuracy(tuned, test) > MlpFixtures.accuracy(old, test));
    }

    @Test
    void anotherShapeIsRefused() throws IOException {
        MlpClassifier old = MlpFixtures.trained().classifier();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new MlpTrainer(CONFIG.withDim(8), Backends.get("java")).initFrom(old));
        assertTrue(e.getMessage().contains("dim 32"), e.getMessage());
    }
}
