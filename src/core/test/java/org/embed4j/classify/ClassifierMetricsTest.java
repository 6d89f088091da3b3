package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Metrics on a hand-worked example (numbers computed by hand, as scikit-learn's classification_report gives them). */
class ClassifierMetricsTest {

    @Test
    void handWorkedThreeClassExample() {
        // gold:      a a a b b c
        // predicted: a a b b c c   (second choices: b c a a a a)
        List<List<String>> gold =
                List.of(List.of("a"), List.of("a"), List.of("a"), List.of("b"), List.of("b"), List.of("c"));
        List<List<String>> ranked = List.of(
                List.of("a", "b"),
                List.of("a", "c"),
                List.of("b", "a"),
                List.of("b", "a"),
                List.of("c", "a"),
                List.of("c", "a"));
        ClassifierMetrics m = ClassifierMetrics.of(List.of("a", "b", "c"), gold, ranked, 2);
        assertEquals(4.0 / 6, m.accuracy(), 1e-12);
        assertArrayEquals(new long[] {2, 1, 0}, m.confusion()[0]);
        assertArrayEquals(new long[] {0, 1, 1}, m.confusion()[1]);
        assertArrayEquals(new long[] {0, 0, 1}, m.confusion()[2]);
        assertEquals(1.0, m.precision(0), 1e-12); // a: 2/2
        assertEquals(2.0 / 3, m.recall(0), 1e-12); // a: 2/3
        assertEquals(0.8, m.f1(0), 1e-12);
        assertEquals(0.5, m.precision(1), 1e-12); // b: 1/2
        assertEquals(0.5, m.recall(1), 1e-12);
        assertEquals(0.5, m.f1(1), 1e-12);
        assertEquals(0.5, m.precision(2), 1e-12); // c: 1/2
        assertEquals(1.0, m.recall(2), 1e-12);
        assertEquals(2.0 / 3, m.f1(2), 1e-12);
        assertEquals((0.8 + 0.5 + 2.0 / 3) / 3, m.macroF1(), 1e-12);
        // top 2 holds the gold label in 5 of 6 examples (not the fifth, b ranked [c, a]): P@2 = 5/12, R@2 = 5/6
        assertEquals(5.0 / 12, m.precisionAtK(), 1e-12);
        assertEquals(5.0 / 6, m.recallAtK(), 1e-12);
    }

    @Test
    void goldLabelUnknownToTheModelCountsAsWrong() {
        ClassifierMetrics m = ClassifierMetrics.of(
                List.of("a", "b"), List.of(List.of("a"), List.of("z")), List.of(List.of("a"), List.of("a")), 1);
        assertEquals(List.of("a", "b", "z"), m.labels());
        assertEquals(0.5, m.accuracy(), 1e-12);
        assertEquals(0.0, m.recall(2), 1e-12);
        assertEquals(0.5, m.recallAtK(), 1e-12);
    }
}
