package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;

/** --pretrained: rows start from the given vectors; frozen rows stay exactly as given, fine-tuned rows move. */
class PretrainedTest {
    private static final List<String> WORDS = List.of("What", "Who", "city", "zzz-not-in-training");
    private static final int DIM = 16;

    private static WordVectors vectors() {
        float[] v = new float[WORDS.size() * DIM];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37) * 0.3f;
        }
        return WordVectors.of(WORDS, v, DIM);
    }

    private static float[] row(TextClassifier c, String word) {
        int id = c.dictionary().wordId(word);
        assertTrue(id >= 0, word + " not in the vocabulary");
        return Arrays.copyOfRange(Matrices.floats(c.input()), id * DIM, (id + 1) * DIM);
    }

    @Test
    void frozenRowsStayFineTunedRowsMove() throws Exception {
        List<LabeledText> train = ClassifierFixtures.read("trec-400.train.txt");
        ClassifierOptions o = ClassifierFixtures.OPTIONS.withEpoch(3);
        WordVectors v = vectors();
        TextClassifier frozen = new FastTextTrainer(o).pretrained(v, true).train(train);
        TextClassifier tuned = new FastTextTrainer(o).pretrained(v, false).train(train);
        for (String w : List.of("What", "Who", "city")) {
            assertArrayEquals(v.vector(w), row(frozen, w), 0f, w);
            assertTrue(!Arrays.equals(v.vector(w), row(tuned, w)), w + " did not move while fine-tuning");
        }
        // the frozen words' vectors still shape the rest: the model differs from a fine-tuned one
        assertTrue(!Arrays.equals(Matrices.floats(frozen.output()), Matrices.floats(tuned.output())));
    }

    @Test
    void dimensionMismatchSaysWhatToPass() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new FastTextTrainer(ClassifierFixtures.OPTIONS.withDim(8)).pretrained(vectors(), false));
        assertTrue(e.getMessage().contains("--dim 16"), e.getMessage());
    }
}
