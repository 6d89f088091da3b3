package org.embed4j.backend;

import static org.embed4j.backend.TensorAssert.assertClose;
import static org.embed4j.backend.TensorAssert.assertEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed small cases for every kernel of the Java reference; the expected numbers are worked out in the
 * comments (or are PyTorch's well-known values) so that they do not depend on the code under test.
 */
class JavaBackendTest {
    private static final double TOL = 1e-6;
    private final Backend ref = BackendSource.reference();

    // W (4,2): rows r0..r3
    private static Tensor weight() {
        return Tensor.of(new float[] {1, 2, 3, -1, -2, 5, 0.5f, 0.5f}, 4, 2);
    }

    @Test
    void gatherCopiesRowsForInt32AndInt64Indices() {
        try (Tensor w = weight();
                Tensor i32 = Tensor.of(new int[] {3, 0, 3});
                Tensor i64 = Tensor.of(new long[] {1, 2});
                Tensor out3 = ref.zeros(DType.F32, 3, 2);
                Tensor out2 = ref.zeros(DType.F32, 2, 2)) {
            ref.gather(out3, w, i32);
            ref.gather(out2, w, i64);
            assertArrayEquals(new float[] {0.5f, 0.5f, 1, 2, 0.5f, 0.5f}, out3.toFloatArray());
            assertArrayEquals(new float[] {3, -1, -2, 5}, out2.toFloatArray());
        }
    }

    // Bags over idx = [0,1,2 | (empty) | 3,1 | 2], offsets [0,3,3,5,6].
    private static final long[] BAG_IDX = {0, 1, 2, 3, 1, 2};
    private static final long[] BAG_OFF = {0, 3, 3, 5, 6};

    private float[] bag(BagMode mode, float[] psw, long padding, long[] argmaxOut) {
        try (Tensor w = weight();
                Tensor idx = Tensor.of(BAG_IDX);
                Tensor off = Tensor.of(BAG_OFF);
                Tensor p = psw == null ? null : Tensor.of(psw);
                Tensor out = ref.zeros(DType.F32, 4, 2);
                Tensor am = ref.zeros(DType.I64, 4, 2)) {
            ref.embeddingBagForward(out, mode == BagMode.MAX ? am : null, w, idx, off, p, mode, padding);
            if (argmaxOut != null) {
                System.arraycopy(am.toLongArray(), 0, argmaxOut, 0, 8);
            }
            return out.toFloatArray();
        }
    }

    @Test
    void bagSumWithPerSampleWeightsSkipsPaddingAndZeroesEmptyBags() {
        float[] psw = {1, 2, 3, 0.5f, -1, 4};
        // padding 2: b0 = 1·[1,2] + 2·[3,-1] = [7,0]; b1 empty; b2 = 0.5·[.5,.5] - [3,-1] = [-2.75,1.25]; b3 = {2}
        // padded
        assertArrayEquals(new float[] {7, 0, 0, 0, -2.75f, 1.25f, 0, 0}, bag(BagMode.SUM, psw, 2, null));
        // no padding: b0 += 3·[-2,5] = [1,15]; b3 = 4·[-2,5]
        assertArrayEquals(new float[] {1, 15, 0, 0, -2.75f, 1.25f, -8, 20}, bag(BagMode.SUM, psw, -1, null));
    }

    @Test
    void bagMeanDividesByTheNonPaddingCount() {
        // padding 2: b0 = ([1,2]+[3,-1])/2 = [2,0.5]; b2 = ([.5,.5]+[3,-1])/2 = [1.75,-0.25]
        assertArrayEquals(new float[] {2, 0.5f, 0, 0, 1.75f, -0.25f, 0, 0}, bag(BagMode.MEAN, null, 2, null));
    }

    @Test
    void bagMaxKeepsTheWinningPositionAndMinusOneForEmptyBags() {
        long[] argmax = new long[8];
        float[] out = bag(BagMode.MAX, null, -1, argmax);
        // b0 = max([1,2],[3,-1],[-2,5]) = [3,5] from positions 1, 2; b2 = max([.5,.5],[3,-1]) = [3,.5] from 4, 3
        assertArrayEquals(new float[] {3, 5, 0, 0, 3, 0.5f, -2, 5}, out);
        assertArrayEquals(new long[] {1, 2, -1, -1, 4, 3, 5, 5}, argmax);
    }

    @Test
    void bagMaxFirstMaximumWinsTies() {
        try (Tensor w = Tensor.of(new float[] {1, 1, 1, 1}, 2, 2);
                Tensor idx = Tensor.of(new long[] {1, 0});
                Tensor off = Tensor.of(new long[] {0, 2});
                Tensor out = ref.zeros(DType.F32, 1, 2);
                Tensor am = ref.zeros(DType.I64, 1, 2)) {
            ref.embeddingBagForward(out, am, w, idx, off, null, BagMode.MAX, -1);
            assertArrayEquals(new long[] {0, 0}, am.toLongArray());
        }
    }

    @Test
    void sortIsStableByRowAndDropsPadding() {
        try (Tensor idx = Tensor.of(new int[] {3, 1, 3, 0, 1, 3});
                SortedIndices s = ref.sortIndices(idx, 4, -1);
                SortedIndices p = ref.sortIndices(idx, 4, 3)) {
            assertEquals(3, s.numUnique());
            assertArrayEquals(new long[] {0, 1, 3}, s.uniq().toLongArray());
            assertArrayEquals(new long[] {0, 1, 3, 6}, s.seg().toLongArray());
            assertArrayEquals(new long[] {3, 1, 4, 0, 2, 5}, s.perm().toLongArray());
            assertEquals(2, p.numUnique());
            assertEquals(6, p.numIndices());
            assertArrayEquals(new long[] {0, 1}, p.uniq().toLongArray());
            assertArrayEquals(new long[] {0, 1, 3}, p.seg().toLongArray());
            assertArrayEquals(new long[] {3, 1, 4}, Arrays.copyOf(p.perm().toLongArray(), 3));
        }
    }

    @Test
    void embeddingBackwardSumsDuplicatesAndScalesByFrequency() {
        // idx [2, 0, 2], dOut rows [1,1], [2,3], [10,20]; dW starts at 1 everywhere (backward adds).
        try (Tensor idx = Tensor.of(new long[] {2, 0, 2});
                SortedIndices s = ref.sortIndices(idx, 3, -1);
                Tensor dOut = Tensor.of(new float[] {1, 1, 2, 3, 10, 20}, 3, 2)) {
            Tensor dW = Tensor.of(new float[] {1, 1, 1, 1, 1, 1}, 3, 2);
            ref.embeddingBackward(dW, dOut, s, false);
            assertArrayEquals(new float[] {3, 4, 1, 1, 12, 22}, dW.toFloatArray());
            ref.embeddingBackward(dW, dOut, s, true); // row 2: ([1,1]+[10,20])/2 = [5.5,10.5]
            assertArrayEquals(new float[] {5, 7, 1, 1, 17.5f, 32.5f}, dW.toFloatArray());
            Tensor rows = ref.zeros(DType.F32, 2, 2); // compact: rows for uniq = [0, 2]
            ref.embeddingBackwardRows(rows, dOut, s, false);
            assertArrayEquals(new float[] {2, 3, 11, 21}, rows.toFloatArray());
            dW.close();
            rows.close();
        }
    }

    @Test
    void embeddingBackwardSkipsPadding() {
        try (Tensor idx = Tensor.of(new long[] {1, 0, 1});
                SortedIndices s = ref.sortIndices(idx, 2, 1);
                Tensor dOut = Tensor.of(new float[] {5, 5, 2, 3, 7, 7}, 3, 2);
                Tensor dW = ref.zeros(DType.F32, 2, 2)) {
            ref.embeddingBackward(dW, dOut, s, false);
            assertArrayEquals(new float[] {2, 3, 0, 0}, dW.toFloatArray());
        }
    }

    @Test
    void bagBackwardSumWithPerSampleWeightsAndTheirGradient() {
        float[] psw = {1, 2, 3, 0.5f, -1, 4};
        // dOut per bag: b0 [1,2], b1 [9,9] (empty), b2 [3,-1], b3 [1,1]; padding 2 → positions 2 and 5 dropped
        float[] dout = {1, 2, 9, 9, 3, -1, 1, 1};
        try (Tensor w = weight();
                Tensor idx = Tensor.of(BAG_IDX);
                Tensor off = Tensor.of(BAG_OFF);
                Tensor p = Tensor.of(psw);
                Tensor d = Tensor.of(dout, 4, 2);
                SortedIndices s = ref.sortIndices(idx, 4, 2);
                Tensor dW = ref.zeros(DType.F32, 4, 2);
                Tensor dPsw = Tensor.of(new float[] {9, 9, 9, 9, 9, 9})) {
            ref.embeddingBagBackward(dW, dPsw, d, w, idx, off, p, null, s, BagMode.SUM, false);
            // row 0: 1·[1,2]; row 1: 2·[1,2] + (-1)·[3,-1] = [-1,5]; row 3: 0.5·[3,-1]
            assertArrayEquals(new float[] {1, 2, -1, 5, 0, 0, 1.5f, -0.5f}, dW.toFloatArray());
            // dpsw[j] = dout[bag]·W[idx[j]]: [1,2]·[1,2]=5, [1,2]·[3,-1]=1, padding 0, [3,-1]·[.5,.5]=1,
            // [3,-1]·[3,-1]=10
            assertArrayEquals(new float[] {5, 1, 0, 1, 10, 0}, dPsw.toFloatArray());
        }
    }

    @Test
    void bagBackwardMeanAndMaxAndCompactRows() {
        float[] dout = {1, 2, 9, 9, 3, -1, 1, 1};
        try (Tensor w = weight();
                Tensor idx = Tensor.of(BAG_IDX);
                Tensor off = Tensor.of(BAG_OFF);
                Tensor d = Tensor.of(dout, 4, 2);
                SortedIndices pad = ref.sortIndices(idx, 4, 2);
                SortedIndices all = ref.sortIndices(idx, 4, -1);
                Tensor dW = ref.zeros(DType.F32, 4, 2);
                Tensor rows = ref.zeros(DType.F32, 3, 2)) {
            ref.embeddingBagBackward(dW, null, d, w, idx, off, null, null, pad, BagMode.MEAN, false);
            // b0 count 2: row0 += [.5,1], row1 += [.5,1]; b2 count 2: row3 += [1.5,-.5], row1 += [1.5,-.5]
            assertArrayEquals(new float[] {0.5f, 1, 2, 0.5f, 0, 0, 1.5f, -0.5f}, dW.toFloatArray());
            ref.embeddingBagBackward(rows, null, d, w, idx, off, null, null, pad, BagMode.MEAN, true);
            assertArrayEquals(new float[] {0.5f, 1, 2, 0.5f, 1.5f, -0.5f}, rows.toFloatArray()); // uniq [0,1,3]

            // max: argmax from the forward test: [1,2 | -1,-1 | 4,3 | 5,5]
            try (Tensor am = Tensor.of(new long[] {1, 2, -1, -1, 4, 3, 5, 5}, 4, 2);
                    Tensor dW2 = ref.zeros(DType.F32, 4, 2)) {
                ref.embeddingBagBackward(dW2, null, d, w, idx, off, null, am, all, BagMode.MAX, false);
                // pos1 (row1) col0 ← 1; pos2 (row2) col1 ← 2; pos4 (row1) col0 ← 3; pos3 (row3) col1 ← -1;
                // pos5 (row2) both ← [1,1]
                assertArrayEquals(new float[] {0, 0, 4, 0, 1, 3, 0, -1}, dW2.toFloatArray());
            }
        }
    }

    // ------------------------------------------------------------------ optimizers (w = 1, g = 0.5, lr = 0.1)

    private float[] denseSteps(OptimStep first, OptimStep second, float[] grads) {
        try (Tensor w = Tensor.of(new float[] {1});
                Tensor s1 = ref.zeros(DType.F32, 1);
                Tensor s2 = ref.zeros(DType.F32, 1);
                Tensor g = Tensor.of(new float[] {grads[0]})) {
            ref.denseUpdate(w, s1, s2, g, first);
            float afterFirst = w.getFloat(0);
            g.setFloat(0, grads[1]);
            ref.denseUpdate(w, s1, s2, g, second);
            return new float[] {afterFirst, w.getFloat(0)};
        }
    }

    private static OptimStep sgd(
            float momentum, float dampening, float wd, boolean nesterov, boolean first, boolean maximize) {
        return new OptimStep(
                OptimKind.SGD,
                first ? 1 : 2,
                0.1f,
                momentum,
                dampening,
                wd,
                0.9f,
                0.999f,
                1e-8f,
                nesterov,
                first,
                maximize);
    }

    @Test
    void sgdPlainMomentumNesterovDampeningWeightDecayMaximize() {
        // plain: 1 - 0.05 = 0.95, then 0.90
        assertClose(
                new float[] {0.95f, 0.9f},
                denseSteps(OptimStep.sgd(0.1f), OptimStep.sgd(0.1f), new float[] {0.5f, 0.5f}),
                TOL,
                0,
                "plain");
        // momentum 0.9: buf = 0.5, w = 0.95; buf = 0.9·0.5 + 0.5 = 0.95, w = 0.95 - 0.095 = 0.855
        assertClose(
                new float[] {0.95f, 0.855f},
                denseSteps(sgd(0.9f, 0, 0, false, true, false), sgd(0.9f, 0, 0, false, false, false), new float[] {
                    0.5f, 0.5f
                }),
                TOL,
                0,
                "momentum");
        // nesterov: g' = 0.5 + 0.9·0.5 = 0.95, w = 0.905; buf = 0.95, g' = 0.5 + 0.855 = 1.355, w = 0.7695
        assertClose(
                new float[] {0.905f, 0.7695f},
                denseSteps(
                        sgd(0.9f, 0, 0, true, true, false), sgd(0.9f, 0, 0, true, false, false), new float[] {0.5f, 0.5f
                        }),
                TOL,
                0,
                "nesterov");
        // dampening 0.5 (ignored on the first step): buf = 0.5; buf = 0.45 + 0.25 = 0.7, w = 0.95 - 0.07 = 0.88
        assertClose(
                new float[] {0.95f, 0.88f},
                denseSteps(
                        sgd(0.9f, 0.5f, 0, false, true, false),
                        sgd(0.9f, 0.5f, 0, false, false, false),
                        new float[] {0.5f, 0.5f}),
                TOL,
                0,
                "dampening");
        // weight decay 0.1: g = 0.5 + 0.1 = 0.6, w = 0.94; g = 0.5 + 0.094 = 0.594, w = 0.8806
        assertClose(
                new float[] {0.94f, 0.8806f},
                denseSteps(sgd(0, 0, 0.1f, false, true, false), sgd(0, 0, 0.1f, false, false, false), new float[] {
                    0.5f, 0.5f
                }),
                TOL,
                0,
                "weight decay");
        // maximize: ascent, 1.05 then 1.10
        assertClose(
                new float[] {1.05f, 1.1f},
                denseSteps(sgd(0, 0, 0, false, true, true), sgd(0, 0, 0, false, false, true), new float[] {0.5f, 0.5f}),
                TOL,
                0,
                "maximize");
    }

    private static OptimStep adam(OptimKind kind, long step, float wd) {
        return new OptimStep(kind, step, 0.1f, 0, 0, wd, 0.9f, 0.999f, 1e-8f, false, false, false);
    }

    @Test
    void adamBiasCorrectionOverTwoSteps() {
        // step 1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25 → w = 1 - 0.1·0.5/0.5 = 0.9
        // step 2 (g = 0.25): m = 0.07, v = 0.00031225; w = 0.9 - (0.1/0.19)·0.07/(sqrt(v)/sqrt(0.001999) + 1e-8)
        double v2 = 0.999 * 0.00025 + 0.001 * 0.0625;
        double w2 = 0.9 - (0.1 / 0.19) * 0.07 / (Math.sqrt(v2) / Math.sqrt(1 - 0.999 * 0.999) + 1e-8);
        assertClose(
                new float[] {0.9f, (float) w2},
                denseSteps(adam(OptimKind.ADAM, 1, 0), adam(OptimKind.ADAM, 2, 0), new float[] {0.5f, 0.25f}),
                1e-6,
                0,
                "adam");
        // L2 decay 0.1: g = 0.6 → still m̂/sqrt(v̂) = 1 on step 1: 0.9
        // AdamW 0.1: w = 1·(1 - 0.01) = 0.99, then - 0.1 = 0.89
        assertClose(
                new float[] {0.89f},
                new float[] {
                    denseSteps(
                            adam(OptimKind.ADAMW, 1, 0.1f), adam(OptimKind.ADAMW, 2, 0.1f), new float[] {0.5f, 0.25f})[
                            0]
                },
                1e-6,
                0,
                "adamw");
    }

    @Test
    void adagradAccumulatesSquares() {
        OptimStep s = new OptimStep(OptimKind.ADAGRAD, 1, 0.1f, 0, 0, 0, 0, 0, 1e-10f, false, false, false);
        // s = 0.25, w = 1 - 0.1·0.5/0.5 = 0.9; s = 0.25 + 0.25 = 0.5, w = 0.9 - 0.1·0.5/sqrt(0.5)
        assertClose(
                new float[] {0.9f, (float) (0.9 - 0.05 / Math.sqrt(0.5))},
                denseSteps(s, s, new float[] {0.5f, 0.5f}),
                1e-6,
                0,
                "adagrad");
    }

    @Test
    void fusedUpdatesTouchOnlyTheRowsInTheBatch() {
        // idx [1, 1, 3] with dOut rows [0.25,-0.5], [0.25,-0.5], [1,1]: row 1 gets g = [0.5,-1], row 3 g = [1,1]
        try (Tensor idx = Tensor.of(new long[] {1, 1, 3});
                SortedIndices s = ref.sortIndices(idx, 4, -1);
                Tensor dOut = Tensor.of(new float[] {0.25f, -0.5f, 0.25f, -0.5f, 1, 1}, 3, 2)) {
            // row-wise Adagrad: state[1] = mean(0.25, 1) = 0.625; w -= 0.1·g/sqrt(0.625); state[3] = 1
            try (Tensor w = weight();
                    Tensor st = ref.zeros(DType.F32, 4)) {
                OptimStep rw =
                        new OptimStep(OptimKind.ROWWISE_ADAGRAD, 1, 0.1f, 0, 0, 0, 0, 0, 0f, false, false, false);
                ref.embeddingBackwardUpdate(w, st, null, dOut, s, false, rw);
                double k = 0.1 / Math.sqrt(0.625);
                assertClose(
                        new float[] {1, 2, (float) (3 - 0.5 * k), (float) (-1 + k), -2, 5, 0.4f, 0.4f},
                        w.toFloatArray(),
                        1e-6,
                        0,
                        "rowwise adagrad weights");
                assertClose(new float[] {0, 0.625f, 0, 1}, st.toFloatArray(), 1e-7, 0, "rowwise adagrad state");
            }
            // SparseAdam step 1: w -= lr·sqrt(bc2)/bc1 · m/(sqrt(v)+eps) = 0.1·sign(g) (eps 0); others untouched
            try (Tensor w = weight();
                    Tensor m = ref.zeros(DType.F32, 4, 2);
                    Tensor v = ref.zeros(DType.F32, 4, 2)) {
                OptimStep sa =
                        new OptimStep(OptimKind.SPARSE_ADAM, 1, 0.1f, 0, 0, 0, 0.9f, 0.999f, 0f, false, false, false);
                ref.embeddingBackwardUpdate(w, m, v, dOut, s, false, sa);
                assertClose(
                        new float[] {1, 2, 2.9f, -0.9f, -2, 5, 0.4f, 0.4f}, w.toFloatArray(), 1e-6, 0, "sparse adam");
                assertClose(new float[] {0, 0, 0.05f, -0.1f, 0, 0, 0.1f, 0.1f}, m.toFloatArray(), 1e-7, 0, "exp_avg");
            }
            // plain SGD through the row path: sparseRowsUpdate with the compact gradient gives the same
            try (Tensor w1 = weight();
                    Tensor w2 = weight();
                    Tensor rows = ref.zeros(DType.F32, 2, 2)) {
                ref.embeddingBackwardUpdate(w1, null, null, dOut, s, false, OptimStep.sgd(0.1f));
                ref.embeddingBackwardRows(rows, dOut, s, false);
                ref.sparseRowsUpdate(w2, null, null, rows, s, OptimStep.sgd(0.1f));
                assertArrayEquals(w1.toFloatArray(), w2.toFloatArray());
                assertClose(new float[] {1, 2, 2.95f, -0.9f, -2, 5, 0.4f, 0.4f}, w1.toFloatArray(), 1e-6, 0, "sgd");
            }
        }
    }

    @Test
    void renormScalesLongRowsOncePerUniqueRow() {
        try (Tensor w = Tensor.of(new float[] {3, 4, 0.3f, 0.4f, 6, 8}, 3, 2);
                Tensor idx = Tensor.of(new long[] {0, 0, 1});
                SortedIndices s = ref.sortIndices(idx, 3, -1)) {
            ref.embeddingRenorm(w, s, 1f, 2f);
            float k = (float) (1 / (5 + 1e-7));
            // row 0 (norm 5) → [3,4]·1/(5+1e-7) once although listed twice; row 1 (norm .5) and row 2 (absent) stay
            assertArrayEquals(new float[] {3 * k, 4 * k, 0.3f, 0.4f, 6, 8}, w.toFloatArray());
        }
    }

    // ------------------------------------------------------------------ dense layers

    @Test
    void gemmAllTransposesAndBetaZeroIgnoresC() {
        // op(A) = [[1,2,3],[4,5,6]], op(B) = [[1,0],[0,1],[1,1]] → A·B = [[4,5],[10,11]]
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] aT = {1, 4, 2, 5, 3, 6};
        float[] b = {1, 0, 0, 1, 1, 1};
        float[] bT = {1, 0, 1, 0, 1, 1};
        for (int mode = 0; mode < 4; mode++) {
            boolean ta = (mode & 1) != 0;
            boolean tb = (mode & 2) != 0;
            try (Tensor ta_ = ta ? Tensor.of(aT, 3, 2) : Tensor.of(a, 2, 3);
                    Tensor tb_ = tb ? Tensor.of(bT, 2, 3) : Tensor.of(b, 3, 2);
                    Tensor c = Tensor.of(new float[] {Float.NaN, 1, 1, 1}, 2, 2)) {
                ref.gemm(ta, tb, 2f, ta_, tb_, 0f, c);
                assertArrayEquals(new float[] {8, 10, 20, 22}, c.toFloatArray(), "transA " + ta + " transB " + tb);
                ref.gemm(ta, tb, 1f, ta_, tb_, 0.5f, c); // 0.5·C + A·B
                assertArrayEquals(new float[] {8, 10, 20, 22}, c.toFloatArray());
            }
        }
    }

    @Test
    void biasAndRelu() {
        try (Tensor x = Tensor.of(new float[] {1, -2, -3, 4}, 2, 2);
                Tensor bias = Tensor.of(new float[] {1, 1});
                Tensor dBias = Tensor.of(new float[] {10, 10});
                Tensor out = ref.zeros(DType.F32, 2, 2);
                Tensor dIn = ref.zeros(DType.F32, 2, 2);
                Tensor dOut = Tensor.of(new float[] {5, 6, 7, 8}, 2, 2)) {
            ref.biasAdd(x, bias);
            assertArrayEquals(new float[] {2, -1, -2, 5}, x.toFloatArray());
            ref.biasBackward(dBias, dOut);
            assertArrayEquals(new float[] {22, 24}, dBias.toFloatArray());
            ref.reluForward(out, x);
            assertArrayEquals(new float[] {2, 0, 0, 5}, out.toFloatArray());
            ref.reluBackward(dIn, dOut, out);
            assertArrayEquals(new float[] {5, 0, 0, 8}, dIn.toFloatArray());
        }
    }

    // ------------------------------------------------------------------ cross-entropy

    private float xent(
            float[] logits,
            long[] targets,
            float[] weight,
            long ignore,
            float smoothing,
            Reduction reduction,
            float[] dLogitsOut) {
        int b = targets.length;
        int k = logits.length / b;
        try (Tensor x = Tensor.of(logits, b, k);
                Tensor t = Tensor.of(targets);
                Tensor w = weight == null ? null : Tensor.of(weight);
                Tensor loss = ref.zeros(DType.F32, reduction == Reduction.NONE ? b : 1)) {
            ref.softmaxXent(loss, x, x, t, w, ignore, smoothing, reduction); // in place, llm.c style
            if (dLogitsOut != null) {
                System.arraycopy(x.toFloatArray(), 0, dLogitsOut, 0, dLogitsOut.length);
            }
            return loss.getFloat(0);
        }
    }

    @Test
    @SuppressWarnings("FloatingPointLiteralPrecision") // PyTorch's printed values, kept digit for digit
    void crossEntropyMatchesPyTorchKnownValues() {
        // F.cross_entropy([[1,2,3]], [2]) = log(1 + e^-1 + e^-2) = 0.4076059644
        float[] grad = new float[3];
        assertEquals(
                0.4076059644, xent(new float[] {1, 2, 3}, new long[] {2}, null, -100, 0, Reduction.MEAN, grad), 1e-6);
        // gradient = softmax - onehot = [0.09003057, 0.24472847, 0.66524096 - 1]
        assertClose(new float[] {0.09003057f, 0.24472847f, -0.33475904f}, grad, 1e-6, 0, "dlogits");
        // label smoothing 0.1: 0.9·0.4076 + (0.1/3)·(2.4076 + 1.4076 + 0.4076) = 0.5076059644
        assertEquals(
                0.5076059644,
                xent(new float[] {1, 2, 3}, new long[] {2}, null, -100, 0.1f, Reduction.MEAN, grad),
                1e-6);
        // its gradient: p - 0.9·onehot - 0.1/3
        assertClose(
                new float[] {0.09003057f - 0.1f / 3, 0.24472847f - 0.1f / 3, 0.66524096f - 0.9f - 0.1f / 3},
                grad,
                1e-6,
                0,
                "smoothed dlogits");
    }

    @Test
    @SuppressWarnings("FloatingPointLiteralPrecision") // PyTorch's printed values, kept digit for digit
    void crossEntropyWithClassWeightsAndIgnoreIndex() {
        float[] logits = {1, 2, 3, 0, 0, 0, 5, 5, 5};
        long[] targets = {2, 0, -100};
        float[] w = {1, 2, 3};
        // row 0: w=3, nll 0.40760596; row 1: w=1, nll log 3 = 1.09861229; row 2 ignored
        double sum = 3 * 0.40760596 + 1.09861229;
        assertEquals(sum / 4, xent(logits, targets, w, -100, 0, Reduction.MEAN, null), 1e-6);
        assertEquals(sum, xent(logits, targets, w, -100, 0, Reduction.SUM, null), 1e-6);
        // NONE: per-row losses, 0 for the ignored row
        try (Tensor x = Tensor.of(logits, 3, 3);
                Tensor t = Tensor.of(targets);
                Tensor wt = Tensor.of(w);
                Tensor loss = ref.zeros(DType.F32, 3);
                Tensor d = ref.zeros(DType.F32, 3, 3)) {
            ref.softmaxXent(loss, d, x, t, wt, -100, 0, Reduction.NONE);
            assertClose(new float[] {3 * 0.40760596f, 1.09861229f, 0}, loss.toFloatArray(), 1e-6, 0, "none");
            float[] g = d.toFloatArray();
            // row 1 (w=1, uniform softmax): [1/3 - 1, 1/3, 1/3]; ignored row: zeros
            assertClose(
                    new float[] {-2f / 3, 1f / 3, 1f / 3, 0, 0, 0}, Arrays.copyOfRange(g, 3, 9), 1e-6, 0, "none grad");
        }
        // weighted label smoothing (PyTorch): row loss = 0.9·w_t·nll + (0.1/3)·Σ_k w_k·(-logp_k); mean ÷ Σ w_t
        double[] lp0 = {-2.40760596, -1.40760596, -0.40760596};
        double smooth0 = -(1 * lp0[0] + 2 * lp0[1] + 3 * lp0[2]);
        double smooth1 = (1 + 2 + 3) * Math.log(3);
        double expected = (0.9 * sum + 0.1 / 3 * (smooth0 + smooth1)) / 4;
        assertEquals(expected, xent(logits, targets, w, -100, 0.1f, Reduction.MEAN, null), 1e-6);
    }

    @Test
    void crossEntropyMeanWithEveryTargetIgnoredIsNaNWithZeroGradient() {
        float[] grad = new float[4];
        float loss = xent(new float[] {1, 2, 3, 4}, new long[] {-1, -1}, null, -1, 0, Reduction.MEAN, grad);
        assertTrue(Float.isNaN(loss), "loss " + loss);
        assertArrayEquals(new float[4], grad);
        assertEquals(0f, xent(new float[] {1, 2, 3, 4}, new long[] {-1, -1}, null, -1, 0, Reduction.SUM, null));
    }

    // ------------------------------------------------------------------ search

    @Test
    void rowNormsAndTopkByCosineWithExclusionTiesAndShortRows() {
        // rows: 0 [1,0], 1 [0,1], 2 [2,0] (ties with row 0 on cosine), 3 [0,0] (norm 0 → -inf)
        try (Tensor w = Tensor.of(new float[] {1, 0, 0, 1, 2, 0, 0, 0}, 4, 2);
                Tensor norms = ref.zeros(DType.F32, 4);
                Tensor q = Tensor.of(new float[] {3, 0, 0, 2}, 2, 2);
                Tensor ex = Tensor.of(new long[] {-1, 1}, 2, 1);
                Tensor idx = ref.zeros(DType.I64, 2, 4);
                Tensor score = ref.zeros(DType.F32, 2, 4)) {
            ref.rowNorms(norms, w);
            assertArrayEquals(new float[] {1, 1, 2, 0}, norms.toFloatArray());
            ref.topk(idx, score, w, norms, q, ex);
            // query 0: rows 0 and 2 tie at 1 (lower row first), row 1 at 0, row 3 at -inf
            // query 1 excludes row 1: rows 0, 2 at 0, row 3 -inf, then an empty slot
            assertEqual(new long[] {0, 2, 1, 3, 0, 2, 3, -1}, idx.toLongArray(), 4, "topk rows");
            float ninf = Float.NEGATIVE_INFINITY;
            assertClose(new float[] {1, 1, 0, ninf, 0, 0, ninf, ninf}, score.toFloatArray(), 1e-6, 0, 4, "scores");
            ref.topk(idx, score, w, null, q, null); // dot product: query 0 → row 2 (6), row 0 (3), 1, 3
            assertEqual(new long[] {2, 0, 1, 3}, Arrays.copyOf(idx.toLongArray(), 4), 0, "dot rows");
        }
    }
}
