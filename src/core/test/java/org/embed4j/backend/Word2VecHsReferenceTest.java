package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.embed4j.internal.sampling.NegativeSampler;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.HuffmanCodes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native general word2vec kernel (CpuBackend: AVX2, or scalar C when run from ScalarKernelConformanceTest)
 * against the Java reference after one chunk from the same weights and RNG state, over hierarchical softmax,
 * negative sampling and both, skip-gram and CBOW (mean and sum), subwords, document rows (PV-DBOW with and without
 * word inputs, PV-DM) and frozen words: same RNG state out, same pair count, loss within 1e-4 relative, every weight
 * within 2e-5 + 2e-4·|w| (Word2VecReferenceTest's tolerance). Frozen words must stay bit-identical on both. Skips
 * when the native library does not load.
 */
class Word2VecHsReferenceTest {
    private static final int V = 200;
    private static final int DOCS = 9;

    private static Backend cpu() {
        try {
            return Backends.get("cpu");
        } catch (IllegalStateException e) {
            Assumptions.abort("native CPU backend unavailable: " + e.getMessage());
            return null;
        }
    }

    /** One problem: weights, tokens, docs and output layers drawn from a seed. */
    private record Problem(
            int d,
            float[] in,
            float[] hs,
            float[] out,
            float[] doc,
            int[] tokens,
            int[] docs,
            HuffmanCodes codes,
            int[] table,
            long[] subOff,
            int[] subIds) {}

    private static Problem problem(long seed, int d, boolean subwords) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int rows = subwords ? V + 50 : V;
        int[] tokens = new int[3000];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rnd.nextInt(15) == 0 ? -1 : (int) Math.min(V - 1, Math.exp(rnd.nextDouble() * Math.log(V)) - 1);
        }
        int[] docs = new int[tokens.length];
        for (int i = 0; i < docs.length; i++) {
            docs[i] = (int) ((long) i * DOCS / docs.length);
        }
        long[] counts = new long[V];
        for (int t : tokens) {
            if (t >= 0) {
                counts[t]++;
            }
        }
        for (int w = 0; w < V; w++) {
            counts[w]++;
        }
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
        return new Problem(
                d,
                floats(rnd, rows * d, 1f / d),
                floats(rnd, (V - 1) * d, 0.5f),
                floats(rnd, V * d, 0.5f),
                floats(rnd, DOCS * d, 1f / d),
                tokens,
                docs,
                HuffmanCodes.of(counts),
                new NegativeSampler(counts, 100_000, 0.75).table(),
                off,
                ids);
    }

    private static float[] floats(SplittableRandom rnd, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() - 0.5) * scale;
        }
        return x;
    }

    private record Result(float[] in, float[] hs, float[] out, float[] doc, long rng, Word2VecStats stats) {}

    /** Runs one chunk on copies of the problem's weights. */
    private static Result run(
            Backend b,
            Problem p,
            Word2VecHsChunk.Mode mode,
            boolean hs,
            int negative,
            boolean docs,
            boolean wordInputs,
            boolean freeze,
            boolean subwords,
            int window) {
        List<Tensor> open = new ArrayList<>();
        try {
            Tensor wIn = keep(open, Tensor.of(p.in(), p.in().length / p.d(), p.d()));
            Tensor wHs = keep(open, Tensor.of(p.hs(), V - 1, p.d()));
            Tensor wOut = keep(open, Tensor.of(p.out(), V, p.d()));
            Tensor wDoc = keep(open, Tensor.of(p.doc(), DOCS, p.d()));
            Tensor rng = keep(open, Tensor.of(new long[] {987654321L}));
            Word2VecHsChunk c = new Word2VecHsChunk(
                    wIn,
                    hs ? wHs : null,
                    negative > 0 ? wOut : null,
                    docs ? wDoc : null,
                    keep(open, Tensor.of(p.tokens())),
                    docs ? keep(open, Tensor.of(p.docs())) : null,
                    hs ? keep(open, Tensor.of(p.codes().offsets())) : null,
                    hs ? keep(open, Tensor.of(p.codes().codes())) : null,
                    p.codes().maxLength(),
                    negative > 0 ? keep(open, Tensor.of(p.table())) : null,
                    negative,
                    subwords ? keep(open, Tensor.of(p.subOff())) : null,
                    subwords ? keep(open, Tensor.of(p.subIds())) : null,
                    rng,
                    mode,
                    wordInputs,
                    freeze,
                    window,
                    0.025f,
                    0.02f);
            Word2VecStats st = b.word2vecHsTrainChunk(c);
            return new Result(
                    wIn.toFloatArray(),
                    wHs.toFloatArray(),
                    wOut.toFloatArray(),
                    wDoc.toFloatArray(),
                    rng.getIndex(0),
                    st);
        } finally {
            open.forEach(Tensor::close);
        }
    }

    private static Tensor keep(List<Tensor> open, Tensor t) {
        open.add(t);
        return t;
    }

    @ParameterizedTest(name = "{0} hs={1} negative={2} docs={3} wordInputs={4} freeze={5} subwords={6} D={7}")
    @CsvSource({
        "SKIP_GRAM,true,0,false,true,false,false,100",
        "CBOW_MEAN,true,0,false,true,false,false,100",
        "CBOW_SUM,true,0,false,true,false,false,17",
        "SKIP_GRAM,true,5,false,true,false,true,17",
        "CBOW_MEAN,true,3,false,true,false,true,9",
        "SKIP_GRAM,false,5,true,true,false,false,33",
        "CBOW_SUM,false,5,true,true,false,false,8",
        "SKIP_GRAM,true,0,true,false,false,false,1",
        "SKIP_GRAM,true,0,true,true,false,false,31",
        "CBOW_MEAN,true,0,true,true,false,false,31",
        "SKIP_GRAM,true,5,true,false,true,false,100",
        "CBOW_MEAN,true,2,true,true,true,true,7"
    })
    void nativeMatchesJavaReferenceAfterOneChunk(
            Word2VecHsChunk.Mode mode,
            boolean hs,
            int negative,
            boolean docs,
            boolean wordInputs,
            boolean freeze,
            boolean subwords,
            int d) {
        Backend cpu = cpu();
        Problem p = problem(42 + d, d, subwords);
        Result ref = run(new JavaBackend(), p, mode, hs, negative, docs, wordInputs, freeze, subwords, 5);
        Result nat = run(cpu, p, mode, hs, negative, docs, wordInputs, freeze, subwords, 5);
        assertEquals(ref.rng(), nat.rng(), "RNG state after the chunk");
        assertEquals(ref.stats().pairs(), nat.stats().pairs(), "pairs");
        assertTrue(ref.stats().pairs() > 0);
        assertEquals(
                ref.stats().lossSum(), nat.stats().lossSum(), 1e-4 * ref.stats().lossSum(), "loss");
        close("W_in", ref.in(), nat.in(), d);
        close("W_hs", ref.hs(), nat.hs(), d);
        close("W_out", ref.out(), nat.out(), d);
        close("W_doc", ref.doc(), nat.doc(), d);
        boolean wordsMove = wordInputs && !freeze;
        assertEquals(!wordsMove, Arrays.equals(p.in(), ref.in()), "W_in changed: " + wordsMove);
        if (freeze) {
            for (Result r : new Result[] {ref, nat}) {
                assertArrayEquals(p.in(), r.in(), "frozen W_in");
                assertArrayEquals(p.hs(), r.hs(), "frozen W_hs");
                assertArrayEquals(p.out(), r.out(), "frozen W_out");
            }
        }
        if (docs) {
            assertFalse(Arrays.equals(p.doc(), nat.doc()), "W_doc changed");
        }
    }

    /** With negatives alone and no documents the general kernel is the negative-sampling kernel, draw for draw. */
    @ParameterizedTest(name = "cbow={0}")
    @CsvSource({"false", "true"})
    void negativesAloneMatchTheNegativeSamplingKernel(boolean cbow) {
        Problem p = problem(9, 17, false);
        Backend java = new JavaBackend();
        Result general = run(
                java,
                p,
                cbow ? Word2VecHsChunk.Mode.CBOW_MEAN : Word2VecHsChunk.Mode.SKIP_GRAM,
                false,
                5,
                false,
                true,
                false,
                false,
                5);
        try (Tensor wIn = Tensor.of(p.in(), V, p.d());
                Tensor wOut = Tensor.of(p.out(), V, p.d());
                Tensor tok = Tensor.of(p.tokens());
                Tensor tab = Tensor.of(p.table());
                Tensor rng = Tensor.of(new long[] {987654321L})) {
            Word2VecStats st = java.word2vecTrainChunk(
                    new Word2VecChunk(wIn, wOut, tok, tab, null, null, rng, cbow, 5, 5, 0.025f, 0.02f));
            assertEquals(rng.getIndex(0), general.rng(), "RNG state");
            assertEquals(st.pairs(), general.stats().pairs(), "pairs");
            assertEquals(st.lossSum(), general.stats().lossSum(), 1e-9 * st.lossSum(), "loss");
            assertArrayEquals(wIn.toFloatArray(), general.in(), "W_in");
            assertArrayEquals(wOut.toFloatArray(), general.out(), "W_out");
        }
    }

    @Test
    void badDocIsRejectedBeforeAnyUpdateOnEveryBackend() {
        Backend cpu = cpu();
        Problem p = problem(3, 4, false);
        p.docs()[17] = DOCS;
        p.tokens()[17] = 5;
        for (Backend b : new Backend[] {new JavaBackend(), cpu}) {
            var e = assertThrows(
                    IndexOutOfBoundsException.class,
                    () -> run(b, p, Word2VecHsChunk.Mode.SKIP_GRAM, true, 0, true, true, false, false, 3),
                    b.name());
            assertTrue(e.getMessage().contains("docs[17]"), e.getMessage());
        }
    }

    @Test
    void checkedBackendRefusesAChunkWithoutOutputLayer() {
        Backend checked = Backends.get("java");
        Problem p = problem(4, 4, false);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> run(checked, p, Word2VecHsChunk.Mode.SKIP_GRAM, false, 0, false, true, false, false, 3));
        assertTrue(e.getMessage().contains("no output layer"), e.getMessage());
    }

    private static void close(String what, float[] ref, float[] got, int d) {
        for (int i = 0; i < ref.length; i++) {
            double tol = 2e-5 + 2e-4 * Math.abs(ref[i]);
            if (!(Math.abs(ref[i] - got[i]) <= tol)) {
                fail(what + "[" + (i / d) + "," + (i % d) + "]: java " + ref[i] + " native " + got[i]);
            }
        }
    }
}
