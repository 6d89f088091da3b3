package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native word2vec kernel (CpuBackend: AVX2 or scalar C) against the Java reference after one chunk from
 * the same weights and RNG state: same RNG state out, same pair count, loss within 1e-4 relative, every
 * weight within 2e-5 + 2e-4·|w|. Skips when the native library does not load.
 */
class Word2VecReferenceTest {
    private static final int V = 200;

    private static Backend cpu() {
        try {
            return Backends.get("cpu");
        } catch (IllegalStateException e) {
            Assumptions.abort("native CPU backend unavailable: " + e.getMessage());
            return null;
        }
    }

    @ParameterizedTest(name = "cbow={0} subwords={1} D={2} window={3} negative={4}")
    @CsvSource({
        "false,false,100,5,5",
        "true,false,100,5,5",
        "false,true,17,3,7",
        "true,true,9,4,3",
        "false,false,1,2,1",
        "false,false,33,8,15"
    })
    void nativeMatchesJavaReferenceAfterOneChunk(boolean cbow, boolean subwords, int d, int window, int negative) {
        Backend cpu = cpu();
        SplittableRandom rnd = new SplittableRandom(42 + d);
        int rows = subwords ? V + 50 : V;
        float[] in = new float[rows * d];
        float[] out = new float[V * d];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) (rnd.nextDouble() - 0.5) / d;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (rnd.nextDouble() - 0.5) * 0.5f;
        }
        int[] tokens = zipfTokens(rnd, 4000);
        long[] counts = new long[V];
        for (int t : tokens) {
            if (t >= 0) {
                counts[t]++;
            }
        }
        for (int w = 0; w < V; w++) {
            counts[w]++;
        }
        int[] table = unigramTable(counts, 100_000);
        long[] off = null;
        int[] ids = null;
        if (subwords) {
            off = new long[V + 1];
            int[] tmp = new int[V * 4];
            int n = 0;
            for (int w = 0; w < V; w++) {
                off[w] = n;
                tmp[n++] = w;
                for (int k = rnd.nextInt(4); k > 0; k--) {
                    tmp[n++] = V + rnd.nextInt(50);
                }
            }
            off[V] = n;
            ids = Arrays.copyOf(tmp, n);
        }
        Result ref = run(new JavaBackend(), in, out, tokens, table, off, ids, cbow, window, negative, d);
        Result nat = run(cpu, in, out, tokens, table, off, ids, cbow, window, negative, d);
        assertEquals(ref.rng, nat.rng, "RNG state after the chunk");
        assertEquals(ref.stats.pairs(), nat.stats.pairs(), "pairs");
        assertTrue(ref.stats.pairs() > 0);
        assertEquals(ref.stats.lossSum(), nat.stats.lossSum(), 1e-4 * ref.stats.lossSum(), "loss");
        close("W_in", ref.in, nat.in, d);
        close("W_out", ref.out, nat.out, d);
        assertTrue(!Arrays.equals(in, ref.in), "W_in changed");
    }

    @Test
    void badTokenIsRejectedBeforeAnyUpdateOnEveryBackend() {
        Backend cpu = cpu();
        float[] in = new float[V * 4];
        Arrays.fill(in, 0.1f);
        int[] tokens = {1, 2, 3, V, 4};
        for (Backend b : new Backend[] {new JavaBackend(), cpu}) {
            try (Tensor wIn = Tensor.of(in, V, 4);
                    Tensor wOut = Tensor.of(new float[V * 4], V, 4);
                    Tensor tok = Tensor.of(tokens);
                    Tensor tab = Tensor.of(new int[] {1, 2, 3});
                    Tensor rng = Tensor.of(new long[] {1})) {
                var e = assertThrows(
                        IndexOutOfBoundsException.class,
                        () -> b.word2vecTrainChunk(
                                new Word2VecChunk(wIn, wOut, tok, tab, null, null, rng, false, 2, 2, 0.025f, 0.02f)),
                        b.name());
                assertTrue(e.getMessage().contains("tokens[3]"), e.getMessage());
                assertArrayEquals(in, wIn.toFloatArray(), b.name() + " changed W_in");
            }
        }
    }

    private record Result(float[] in, float[] out, long rng, Word2VecStats stats) {}

    private static Result run(
            Backend b,
            float[] in,
            float[] out,
            int[] tokens,
            int[] table,
            long[] off,
            int[] ids,
            boolean cbow,
            int window,
            int negative,
            int d) {
        try (Tensor wIn = Tensor.of(in, in.length / d, d);
                Tensor wOut = Tensor.of(out, V, d);
                Tensor tok = Tensor.of(tokens);
                Tensor tab = Tensor.of(table);
                Tensor so = off == null ? null : Tensor.of(off);
                Tensor si = ids == null ? null : Tensor.of(ids);
                Tensor rng = Tensor.of(new long[] {987654321L})) {
            Word2VecStats st = b.word2vecTrainChunk(
                    new Word2VecChunk(wIn, wOut, tok, tab, so, si, rng, cbow, window, negative, 0.025f, 0.02f));
            return new Result(wIn.toFloatArray(), wOut.toFloatArray(), rng.getIndex(0), st);
        }
    }

    /** Zipf-like ids with a sentence break (-1) about every 15 tokens. */
    static int[] zipfTokens(SplittableRandom rnd, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rnd.nextInt(15) == 0 ? -1 : (int) Math.min(V - 1, Math.exp(rnd.nextDouble() * Math.log(V)) - 1);
        }
        return t;
    }

    private static void close(String what, float[] ref, float[] got, int d) {
        for (int i = 0; i < ref.length; i++) {
            double tol = 2e-5 + 2e-4 * Math.abs(ref[i]);
            if (!(Math.abs(ref[i] - got[i]) <= tol)) {
                fail(what + "[" + (i / d) + "," + (i % d) + "]: java " + ref[i] + " native " + got[i]);
            }
        }
    }

    /** word2vec's unigram^0.75 negative table (the trainer builds its own; any valid table serves here). */
    private static int[] unigramTable(long[] counts, int size) {
        double norm = 0;
        for (long c : counts) {
            norm += Math.pow(c, 0.75);
        }
        int[] table = new int[size];
        int w = 0;
        double cum = Math.pow(counts[0], 0.75) / norm;
        for (int a = 0; a < size; a++) {
            table[a] = w;
            if ((double) a / size > cum && w < counts.length - 1) {
                w++;
                cum += Math.pow(counts[w], 0.75) / norm;
            }
        }
        return table;
    }
}
