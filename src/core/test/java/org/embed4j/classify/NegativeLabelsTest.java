package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Negative labels follow count^0.5, never repeat the target, and a single label has none. */
class NegativeLabelsTest {

    @Test
    void drawsFollowTheSquareRootOfTheCountsAndSkipTheTarget() {
        long[] counts = {900, 400, 100, 0};
        NegativeLabels sampler = new NegativeLabels(counts);
        int target = 1;
        int[] seen = new int[counts.length];
        int[] drawn = new int[5];
        SplittableRandom rng = new SplittableRandom(1);
        int draws = 0;
        for (int i = 0; i < 40_000; i++) {
            assertEquals(5, sampler.draw(target, rng, drawn));
            for (int c : drawn) {
                seen[c]++;
                draws++;
            }
        }
        assertEquals(0, seen[target], "the target was drawn as its own negative");
        // without the target (weight 20): weights 30, 10, 1 (a count of 0 counts as 1)
        double[] expected = {30 / 41.0, 0, 10 / 41.0, 1 / 41.0};
        for (int c = 0; c < counts.length; c++) {
            double share = seen[c] / (double) draws;
            assertEquals(expected[c], share, 0.01, "label " + c + " share");
        }
    }

    @Test
    void aSingleLabelHasNoNegatives() {
        assertEquals(0, new NegativeLabels(new long[] {7}).draw(0, new SplittableRandom(1), new int[5]));
        assertTrue(new NegativeLabels(new long[] {1, 1}).draw(0, new SplittableRandom(1), new int[3]) == 3);
    }
}
