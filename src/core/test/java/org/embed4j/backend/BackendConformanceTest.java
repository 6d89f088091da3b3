package org.embed4j.backend;

import static org.embed4j.backend.BackendSource.floats;
import static org.embed4j.backend.BackendSource.longs;
import static org.embed4j.backend.KernelInputs.abs;
import static org.embed4j.backend.KernelInputs.gaussian;
import static org.embed4j.backend.KernelInputs.indices;
import static org.embed4j.backend.KernelInputs.offsets;
import static org.embed4j.backend.TensorAssert.assertBitEqual;
import static org.embed4j.backend.TensorAssert.assertClose;
import static org.embed4j.backend.TensorAssert.assertEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every available backend's embedding and optimizer kernels against the Java reference, on awkward row widths
 * (every vector tail), with duplicate and boundary indices (0 and V-1), padding, empty bags (first and last
 * included), and int32 and int64 indices. Gather is bit-exact; the rest is compared with abs + rel tolerance.
 * Backward and fused updates must also be bit-identical across 5 runs (the deterministic sort-and-reduce).
 */
class BackendConformanceTest {
    static final int[] DIMS = {1, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257, 1021};
    private static final int V = 37;
    private static final int N = 60;
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-5;
    private final Backend ref = BackendSource.reference();

    private static Tensor indexTensor(long[] idx, DType type) {
        if (type == DType.I64) {
            return Tensor.of(idx);
        }
        int[] ints = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            ints[i] = (int) idx[i];
        }
        return Tensor.of(ints);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void gatherIsBitExact(Backend b) {
        for (int d : DIMS) {
            Random rnd = new Random(d);
            for (DType type : new DType[] {DType.I32, DType.I64}) {
                try (Tensor w = Tensor.of(gaussian(rnd, V * d), V, d);
                        Tensor idx = indexTensor(indices(rnd, N, V), type);
                        Tensor dw = b.fromHost(w);
                        Tensor didx = b.fromHost(idx);
                        Tensor out = b.zeros(DType.F32, N, d);
                        Tensor expected = ref.zeros(DType.F32, N, d)) {
                    ref.gather(expected, w, idx);
                    b.gather(out, dw, didx);
                    assertBitEqual(
                            expected.toFloatArray(), floats(b, out), d, b.name() + " gather D=" + d + " " + type);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void bagForwardMatchesForEveryModePaddingAndIndexType(Backend b) {
        for (int d : DIMS) {
            Random rnd = new Random(100 + d);
            long[] idxValues = indices(rnd, N, V);
            long[] offValues = offsets(rnd, N);
            int bags = offValues.length - 1;
            for (BagMode mode : BagMode.values()) {
                for (long padding : new long[] {-1, 0, V - 1}) {
                    DType type = padding == 0 ? DType.I32 : DType.I64;
                    String what = b.name() + " bag " + mode + " D=" + d + " padding " + padding + " " + type;
                    try (Tensor w = Tensor.of(gaussian(rnd, V * d), V, d);
                            Tensor idx = indexTensor(idxValues, type);
                            Tensor off = Tensor.of(offValues);
                            Tensor psw = mode == BagMode.SUM && padding != 0 ? Tensor.of(gaussian(rnd, N)) : null;
                            Tensor expOut = ref.zeros(DType.F32, bags, d);
                            Tensor expArg = ref.zeros(DType.I64, bags, d);
                            Tensor dw = b.fromHost(w);
                            Tensor didx = b.fromHost(idx);
                            Tensor doff = b.fromHost(off);
                            Tensor dpsw = psw == null ? null : b.fromHost(psw);
                            Tensor out = b.zeros(DType.F32, bags, d);
                            Tensor arg = b.zeros(DType.I64, bags, d)) {
                        boolean max = mode == BagMode.MAX;
                        ref.embeddingBagForward(expOut, max ? expArg : null, w, idx, off, psw, mode, padding);
                        b.embeddingBagForward(out, max ? arg : null, dw, didx, doff, dpsw, mode, padding);
                        assertClose(expOut.toFloatArray(), floats(b, out), ATOL, RTOL, d, what);
                        if (max) {
                            assertEqual(expArg.toLongArray(), longs(b, arg), d, what + " argmax");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void sortMatchesIncludingPadding(Backend b) {
        Random rnd = new Random(7);
        for (int n : new int[] {0, 1, 17, 1021}) {
            for (long padding : new long[] {-1, 0, V - 1}) {
                long[] values = indices(rnd, n, V);
                try (Tensor idx = indexTensor(values, padding == 0 ? DType.I32 : DType.I64);
                        Tensor didx = b.fromHost(idx);
                        SortedIndices e = ref.sortIndices(idx, V, padding);
                        SortedIndices a = b.sortIndices(didx, V, padding)) {
                    String what = b.name() + " sort n=" + n + " padding " + padding;
                    assertEquals(e.numUnique(), a.numUnique(), what + " numUnique");
                    assertEquals(e.numIndices(), a.numIndices(), what + " numIndices");
                    int u = (int) e.numUnique();
                    long[] seg = e.seg().toLongArray();
                    assertEqual(e.uniq().toLongArray(), Arrays.copyOf(longs(b, a.uniq()), u), 0, what + " uniq");
                    assertEqual(seg, Arrays.copyOf(longs(b, a.seg()), u + 1), 0, what + " seg");
                    int kept = (int) seg[u];
                    assertEqual(
                            Arrays.copyOf(e.perm().toLongArray(), kept),
                            Arrays.copyOf(longs(b, a.perm()), kept),
                            0,
                            what + " perm");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void embeddingBackwardDenseAndRowsMatchAndAreDeterministic(Backend b) {
        for (int d : DIMS) {
            Random rnd = new Random(200 + d);
            for (boolean scale : new boolean[] {false, true}) {
                long padding = scale ? 3 : -1;
                String what = b.name() + " backward D=" + d + " scaleGradByFreq " + scale;
                try (Tensor idx = Tensor.of(indices(rnd, N, V));
                        Tensor dOut = Tensor.of(gaussian(rnd, N * d), N, d);
                        Tensor dW0 = Tensor.of(gaussian(rnd, V * d), V, d);
                        SortedIndices es = ref.sortIndices(idx, V, padding);
                        Tensor didx = b.fromHost(idx);
                        Tensor ddOut = b.fromHost(dOut);
                        SortedIndices s = b.sortIndices(didx, V, padding)) {
                    int u = (int) es.numUnique();
                    try (Tensor expW = ref.fromHost(dW0);
                            Tensor expRows = ref.zeros(DType.F32, u, d)) {
                        ref.embeddingBackward(expW, dOut, es, scale);
                        ref.embeddingBackwardRows(expRows, dOut, es, scale);
                        float[] first = null;
                        for (int run = 0; run < 5; run++) {
                            try (Tensor dW = b.fromHost(dW0);
                                    Tensor rows = b.zeros(DType.F32, u, d)) {
                                b.embeddingBackward(dW, ddOut, s, scale);
                                b.embeddingBackwardRows(rows, ddOut, s, scale);
                                float[] got = floats(b, dW);
                                if (first == null) {
                                    first = got;
                                    assertClose(expW.toFloatArray(), got, ATOL, RTOL, d, what + " dense");
                                    assertClose(expRows.toFloatArray(), floats(b, rows), ATOL, RTOL, d, what + " rows");
                                } else {
                                    assertBitEqual(first, got, d, what + " run " + run + " vs run 0");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void bagBackwardMatchesForEveryModeDenseAndCompact(Backend b) {
        for (int d : DIMS) {
            Random rnd = new Random(300 + d);
            long[] idxValues = indices(rnd, N, V);
            long[] offValues = offsets(rnd, N);
            int bags = offValues.length - 1;
            for (BagMode mode : BagMode.values()) {
                long padding = mode == BagMode.MEAN ? V - 1 : -1;
                boolean weighted = mode == BagMode.SUM;
                DType type = mode == BagMode.MAX ? DType.I32 : DType.I64;
                try (Tensor w = Tensor.of(gaussian(rnd, V * d), V, d);
                        Tensor idx = indexTensor(idxValues, type);
                        Tensor off = Tensor.of(offValues);
                        Tensor psw = weighted ? Tensor.of(gaussian(rnd, N)) : null;
                        Tensor dOut = Tensor.of(gaussian(rnd, bags * d), bags, d);
                        Tensor out = ref.zeros(DType.F32, bags, d);
                        Tensor arg = ref.zeros(DType.I64, bags, d);
                        SortedIndices es = ref.sortIndices(idx, V, padding)) {
                    Tensor am = mode == BagMode.MAX ? arg : null;
                    ref.embeddingBagForward(out, am, w, idx, off, psw, mode, padding);
                    int u = (int) es.numUnique();
                    for (boolean compact : new boolean[] {false, true}) {
                        String what =
                                b.name() + " bag backward " + mode + " D=" + d + (compact ? " compact" : " dense");
                        long rows = compact ? u : V;
                        try (Tensor expW = ref.zeros(DType.F32, rows, d);
                                Tensor expPsw = weighted ? ref.zeros(DType.F32, N) : null;
                                Tensor dw = b.fromHost(w);
                                Tensor didx = b.fromHost(idx);
                                Tensor doff = b.fromHost(off);
                                Tensor dpsw = psw == null ? null : b.fromHost(psw);
                                Tensor ddOut = b.fromHost(dOut);
                                Tensor dam = am == null ? null : b.fromHost(am);
                                SortedIndices s = b.sortIndices(didx, V, padding);
                                Tensor gotW = b.zeros(DType.F32, rows, d);
                                Tensor gotPsw = weighted ? b.zeros(DType.F32, N) : null) {
                            ref.embeddingBagBackward(expW, expPsw, dOut, w, idx, off, psw, am, es, mode, compact);
                            b.embeddingBagBackward(gotW, gotPsw, ddOut, dw, didx, doff, dpsw, dam, s, mode, compact);
                            assertClose(expW.toFloatArray(), floats(b, gotW), ATOL, RTOL, d, what);
                            if (weighted) {
                                assertClose(expPsw.toFloatArray(), floats(b, gotPsw), 1e-4, RTOL, what + " dPsw");
                            }
                        }
                    }
                }
            }
        }
    }

    static OptimStep step(OptimKind kind, long step) {
        return switch (kind) {
            case SGD -> new OptimStep(kind, step, 0.05f, 0f, 0f, 0.01f, 0.9f, 0.999f, 1e-8f, false, false, step == 2);
            case ROWWISE_ADAGRAD, ADAGRAD ->
                new OptimStep(kind, step, 0.05f, 0f, 0f, 0f, 0.9f, 0.999f, 1e-10f, false, false, false);
            default -> new OptimStep(kind, step, 0.01f, 0f, 0f, 0f, 0.9f, 0.999f, 1e-8f, false, false, false);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void fusedAndRowUpdatesMatchAndAreDeterministic(Backend b) {
        OptimKind[] kinds = {OptimKind.SGD, OptimKind.ADAGRAD, OptimKind.ROWWISE_ADAGRAD, OptimKind.SPARSE_ADAM};
        for (int d : DIMS) {
            Random rnd = new Random(400 + d);
            for (OptimKind kind : kinds) {
                boolean scale = kind == OptimKind.ADAGRAD;
                long[] s1Shape = kind == OptimKind.ROWWISE_ADAGRAD ? new long[] {V} : new long[] {V, d};
                int s1Count = (int) Tensor.numel(s1Shape);
                String what = b.name() + " fused " + kind + " D=" + d;
                try (Tensor idx = Tensor.of(indices(rnd, N, V));
                        Tensor dOut = Tensor.of(gaussian(rnd, N * d), N, d);
                        Tensor w0 = Tensor.of(gaussian(rnd, V * d), V, d);
                        Tensor s10 = Tensor.of(abs(gaussian(rnd, s1Count)), s1Shape);
                        Tensor s20 = Tensor.of(abs(gaussian(rnd, V * d)), V, d);
                        SortedIndices es = ref.sortIndices(idx, V, -1);
                        Tensor ew = ref.fromHost(w0);
                        Tensor es1 = ref.fromHost(s10);
                        Tensor es2 = ref.fromHost(s20);
                        Tensor ddOut = b.fromHost(dOut);
                        Tensor didx = b.fromHost(idx);
                        SortedIndices s = b.sortIndices(didx, V, -1)) {
                    for (long t = 1; t <= 2; t++) {
                        ref.embeddingBackwardUpdate(ew, es1, es2, dOut, es, scale, step(kind, t));
                    }
                    float[] first = null;
                    for (int run = 0; run < 5; run++) {
                        try (Tensor w = b.fromHost(w0);
                                Tensor s1 = b.fromHost(s10);
                                Tensor s2 = b.fromHost(s20)) {
                            for (long t = 1; t <= 2; t++) {
                                b.embeddingBackwardUpdate(w, s1, s2, ddOut, s, scale, step(kind, t));
                            }
                            float[] got = floats(b, w);
                            if (first == null) {
                                first = got;
                                assertClose(ew.toFloatArray(), got, ATOL, 1e-4, d, what + " weight");
                                assertClose(es1.toFloatArray(), floats(b, s1), ATOL, 1e-4, what + " state1");
                                assertClose(es2.toFloatArray(), floats(b, s2), ATOL, 1e-4, d, what + " state2");
                            } else {
                                assertBitEqual(first, got, d, what + " run " + run + " vs run 0");
                            }
                        }
                    }
                    // The same step from an explicit sparse gradient (U,D) through sparseRowsUpdate.
                    int u = (int) es.numUnique();
                    try (Tensor rows = ref.zeros(DType.F32, u, d);
                            Tensor rw = ref.fromHost(w0);
                            Tensor rs1 = ref.fromHost(s10);
                            Tensor rs2 = ref.fromHost(s20);
                            Tensor ew1 = ref.fromHost(w0);
                            Tensor es11 = ref.fromHost(s10);
                            Tensor es21 = ref.fromHost(s20)) {
                        ref.embeddingBackwardRows(rows, dOut, es, scale);
                        ref.sparseRowsUpdate(rw, rs1, rs2, rows, es, step(kind, 1));
                        ref.embeddingBackwardUpdate(ew1, es11, es21, dOut, es, scale, step(kind, 1));
                        assertBitEqual(ew1.toFloatArray(), rw.toFloatArray(), d, "reference fused vs rows " + kind);
                        try (Tensor w = b.fromHost(w0);
                                Tensor s1 = b.fromHost(s10);
                                Tensor s2 = b.fromHost(s20);
                                Tensor drows = b.fromHost(rows)) {
                            b.sparseRowsUpdate(w, s1, s2, drows, s, step(kind, 1));
                            assertClose(rw.toFloatArray(), floats(b, w), ATOL, 1e-4, d, what + " sparseRowsUpdate");
                            assertClose(
                                    rs1.toFloatArray(), floats(b, s1), ATOL, 1e-4, what + " sparseRowsUpdate state1");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void denseUpdatesMatchForEveryKind(Backend b) {
        OptimStep[] steps = {
            new OptimStep(OptimKind.SGD, 1, 0.05f, 0.9f, 0f, 0.01f, 0, 0, 0, true, true, false),
            new OptimStep(OptimKind.SGD, 2, 0.05f, 0.9f, 0.1f, 0f, 0, 0, 0, false, false, true),
            new OptimStep(OptimKind.ADAM, 3, 0.01f, 0, 0, 0.01f, 0.9f, 0.999f, 1e-8f, false, false, false),
            new OptimStep(OptimKind.ADAMW, 5, 0.01f, 0, 0, 0.1f, 0.8f, 0.99f, 1e-6f, false, false, true),
            new OptimStep(OptimKind.ADAGRAD, 2, 0.05f, 0, 0, 0.01f, 0, 0, 1e-10f, false, false, false),
        };
        for (int n : DIMS) {
            Random rnd = new Random(500 + n);
            for (OptimStep st : steps) {
                String what = b.name() + " dense " + st.kind() + " step " + st.step() + " n=" + n;
                try (Tensor p0 = Tensor.of(gaussian(rnd, n));
                        Tensor g = Tensor.of(gaussian(rnd, n));
                        Tensor s10 = Tensor.of(abs(gaussian(rnd, n)));
                        Tensor s20 = Tensor.of(abs(gaussian(rnd, n)));
                        Tensor ep = ref.fromHost(p0);
                        Tensor es1 = ref.fromHost(s10);
                        Tensor es2 = ref.fromHost(s20);
                        Tensor p = b.fromHost(p0);
                        Tensor s1 = b.fromHost(s10);
                        Tensor s2 = b.fromHost(s20);
                        Tensor dg = b.fromHost(g)) {
                    ref.denseUpdate(ep, es1, es2, g, st);
                    b.denseUpdate(p, s1, s2, dg, st);
                    assertClose(ep.toFloatArray(), floats(b, p), ATOL, 1e-4, what);
                    assertClose(es1.toFloatArray(), floats(b, s1), ATOL, 1e-4, what + " state1");
                    assertClose(es2.toFloatArray(), floats(b, s2), ATOL, 1e-4, what + " state2");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void renormMatches(Backend b) {
        for (int d : DIMS) {
            Random rnd = new Random(600 + d);
            for (float p : new float[] {2f, 1f, 3f, Float.POSITIVE_INFINITY}) {
                try (Tensor w0 = Tensor.of(gaussian(rnd, V * d), V, d);
                        Tensor idx = Tensor.of(indices(rnd, N, V));
                        Tensor ew = ref.fromHost(w0);
                        SortedIndices es = ref.sortIndices(idx, V, -1);
                        Tensor w = b.fromHost(w0);
                        Tensor didx = b.fromHost(idx);
                        SortedIndices s = b.sortIndices(didx, V, -1)) {
                    float maxNorm = (float) Math.sqrt(d) * 0.8f;
                    ref.embeddingRenorm(ew, es, maxNorm, p);
                    b.embeddingRenorm(w, s, maxNorm, p);
                    assertClose(
                            ew.toFloatArray(), floats(b, w), ATOL, 1e-4, d, b.name() + " renorm D=" + d + " p=" + p);
                }
            }
        }
    }
}
