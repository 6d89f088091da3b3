package org.embed4j.internal.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Subsampling and the negative table against word2vec's formulas. */
class SamplingTest {
    @Test
    void subsamplingUsesWord2VecFormula() {
        long[] counts = {1_000_000, 1_000, 1};
        long total = 1_001_001;
        Subsampler s = new Subsampler(counts, 1e-4);
        for (int w = 0; w < 3; w++) {
            double st = 1e-4 * total;
            double expected = Math.min(1, (Math.sqrt(counts[w] / st) + 1) * st / counts[w]);
            assertEquals(expected, s.keepProbability(w), 1e-6);
        }
        assertTrue(s.keepProbability(0) < 0.02);
        assertEquals(1.0f, new Subsampler(counts, 0).keepProbability(0));
        assertTrue(s.keep(2, 0.999f));
        assertThrows(IllegalArgumentException.class, () -> new Subsampler(counts, -1));
    }

    @Test
    void negativeTableFollowsUnigramPower() {
        long[] counts = {1000, 100, 10, 1};
        NegativeSampler n = new NegativeSampler(counts, 1_000_000, 0.75);
        int[] hist = new int[4];
        for (int w : n.table()) {
            hist[w]++;
        }
        double norm = 0;
        for (long c : counts) {
            norm += Math.pow(c, 0.75);
        }
        for (int w = 0; w < 4; w++) {
            assertEquals(Math.pow(counts[w], 0.75) / norm, hist[w] / 1e6, 2e-5, "share of word " + w);
        }
        assertEquals(n.table()[(int) ((123456789L >>> 16) % 1_000_000)], n.sample(123456789L));
        assertThrows(IllegalArgumentException.class, () -> new NegativeSampler(new long[0]));
    }

    @Test
    void tableWrittenToNativeMemoryEqualsTheHeapTable() {
        long[] counts = {1000, 100, 10, 1, 0, 7};
        int size = 100_003;
        int[] heap = new NegativeSampler(counts, size, NegativeSampler.POWER).table();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4L * size);
            NegativeSampler.writeTable(counts, size, NegativeSampler.POWER, seg);
            assertArrayEquals(heap, seg.toArray(ValueLayout.JAVA_INT));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> NegativeSampler.writeTable(counts, size + 1, NegativeSampler.POWER, seg));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> NegativeSampler.writeTable(new long[0], 10, NegativeSampler.POWER, seg));
        }
    }
}
