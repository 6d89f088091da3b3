package org.embed4j.backend;

import static org.embed4j.backend.BackendConformanceTest.DIMS;
import static org.embed4j.backend.BackendSource.floats;
import static org.embed4j.backend.BackendSource.longs;
import static org.embed4j.backend.KernelInputs.abs;
import static org.embed4j.backend.KernelInputs.gaussian;
import static org.embed4j.backend.TensorAssert.assertBitEqual;
import static org.embed4j.backend.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every available backend's memory ops, dense layers (GEMM, bias, ReLU), fused softmax cross-entropy and search
 * kernels against the Java reference, on awkward sizes so that every vector tail and block edge is exercised.
 * Abs + rel tolerances: the reference accumulates dot products in double, native kernels in float.
 */
class DenseConformanceTest {
    private final Backend ref = BackendSource.reference();

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void memoryOpsMatch(Backend b) {
        for (int n : DIMS) {
            Random rnd = new Random(n);
            float[] x = gaussian(rnd, n);
            float[] y = gaussian(rnd, n);
            try (Tensor hx = Tensor.of(x);
                    Tensor hy = Tensor.of(y);
                    Tensor dx = b.fromHost(hx);
                    Tensor dy = b.fromHost(hy);
                    Tensor z = b.zeros(DType.F32, n);
                    Tensor ex = ref.fromHost(hx);
                    Tensor ey = ref.fromHost(hy);
                    Tensor ez = ref.zeros(DType.F32, n)) {
                assertBitEqual(x, floats(b, dx), 0, b.name() + " round trip n=" + n);
                assertBitEqual(new float[n], floats(b, z), 0, b.name() + " zeros n=" + n);
                b.axpy(dy, 0.5f, dx);
                ref.axpy(ey, 0.5f, ex);
                assertClose(ey.toFloatArray(), floats(b, dy), 1e-6, 1e-6, b.name() + " axpy n=" + n);
                b.scale(dy, -3f);
                ref.scale(ey, -3f);
                assertClose(ey.toFloatArray(), floats(b, dy), 1e-6, 1e-6, b.name() + " scale n=" + n);
                b.mul(z, dx, dy);
                ref.mul(ez, ex, ey);
                assertClose(ez.toFloatArray(), floats(b, z), 1e-6, 1e-6, b.name() + " mul n=" + n);
                b.copy(z, dx);
                assertBitEqual(x, floats(b, z), 0, b.name() + " copy n=" + n);
                b.fill(z, 2.5f);
                ref.fill(ez, 2.5f);
                assertBitEqual(ez.toFloatArray(), floats(b, z), 0, b.name() + " fill n=" + n);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void gemmMatchesForEveryTransposeAndAwkwardShape(Backend b) {
        int[][] shapes = {{1, 1, 1}, {7, 9, 8}, {16, 17, 15}, {33, 31, 100}, {100, 8, 257}, {9, 1021, 7}, {257, 33, 17}
        };
        for (int[] mnk : shapes) {
            int m = mnk[0];
            int n = mnk[1];
            int k = mnk[2];
            Random rnd = new Random(m * 31 + n * 7 + k);
            for (int mode = 0; mode < 4; mode++) {
                boolean ta = (mode & 1) != 0;
                boolean tb = (mode & 2) != 0;
                float beta = mode == 3 ? 0f : 0.5f;
                String what = b.name() + " gemm M=" + m + " N=" + n + " K=" + k + " transA " + ta + " transB " + tb;
                float[] c0 = gaussian(rnd, m * n);
                if (beta == 0f) {
                    c0[0] = Float.NaN; // beta == 0: C must not be read
                }
                try (Tensor a = ta ? Tensor.of(gaussian(rnd, k * m), k, m) : Tensor.of(gaussian(rnd, m * k), m, k);
                        Tensor bb = tb ? Tensor.of(gaussian(rnd, n * k), n, k) : Tensor.of(gaussian(rnd, k * n), k, n);
                        Tensor hc = Tensor.of(c0, m, n);
                        Tensor ec = ref.fromHost(hc);
                        Tensor da = b.fromHost(a);
                        Tensor db = b.fromHost(bb);
                        Tensor dc = b.fromHost(hc)) {
                    ref.gemm(ta, tb, 1.5f, a, bb, beta, ec);
                    b.gemm(ta, tb, 1.5f, da, db, beta, dc);
                    assertClose(ec.toFloatArray(), floats(b, dc), 1e-4 * Math.sqrt(k), 1e-4, n, what);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void biasAndReluMatch(Backend b) {
        for (int k : DIMS) {
            Random rnd = new Random(700 + k);
            int rows = 13;
            try (Tensor x = Tensor.of(gaussian(rnd, rows * k), rows, k);
                    Tensor bias = Tensor.of(gaussian(rnd, k));
                    Tensor dOut = Tensor.of(gaussian(rnd, rows * k), rows, k);
                    Tensor db0 = Tensor.of(gaussian(rnd, k));
                    Tensor ex = ref.fromHost(x);
                    Tensor edb = ref.fromHost(db0);
                    Tensor eout = ref.zeros(DType.F32, rows, k);
                    Tensor edin = ref.zeros(DType.F32, rows, k);
                    Tensor dx = b.fromHost(x);
                    Tensor dbias = b.fromHost(bias);
                    Tensor ddOut = b.fromHost(dOut);
                    Tensor ddb = b.fromHost(db0);
                    Tensor out = b.zeros(DType.F32, rows, k);
                    Tensor din = b.zeros(DType.F32, rows, k)) {
                String what = b.name() + " K=" + k;
                ref.biasAdd(ex, bias);
                b.biasAdd(dx, dbias);
                assertClose(ex.toFloatArray(), floats(b, dx), 1e-6, 1e-6, k, what + " biasAdd");
                ref.biasBackward(edb, dOut);
                b.biasBackward(ddb, ddOut);
                assertClose(edb.toFloatArray(), floats(b, ddb), 1e-5, 1e-5, what + " biasBackward");
                ref.reluForward(eout, ex);
                b.reluForward(out, dx);
                assertClose(eout.toFloatArray(), floats(b, out), 0, 0, k, what + " relu");
                ref.reluBackward(edin, dOut, eout);
                b.reluBackward(din, ddOut, out);
                assertClose(edin.toFloatArray(), floats(b, din), 0, 0, k, what + " relu backward");
                b.reluForward(dx, dx); // in place
                assertClose(eout.toFloatArray(), floats(b, dx), 0, 0, k, what + " relu in place");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void softmaxXentMatchesEveryVariant(Backend b) {
        int rows = 13;
        for (int k : DIMS) {
            Random rnd = new Random(800 + k);
            long[] targets = new long[rows];
            for (int i = 0; i < rows; i++) {
                targets[i] = i % 5 == 4 ? -100 : i == 0 ? k - 1 : rnd.nextInt(k);
            }
            float[] logits = gaussian(rnd, rows * k);
            for (int i = 0; i < logits.length; i++) {
                logits[i] *= 4;
            }
            float[] classWeights = abs(gaussian(rnd, k));
            for (Reduction reduction : Reduction.values()) {
                for (float smoothing : new float[] {0f, 0.1f}) {
                    for (boolean weighted : new boolean[] {false, true}) {
                        String what = b.name() + " xent K=" + k + " " + reduction + " smoothing " + smoothing
                                + (weighted ? " weighted" : "");
                        int lossLen = reduction == Reduction.NONE ? rows : 1;
                        try (Tensor x = Tensor.of(logits, rows, k);
                                Tensor t = Tensor.of(targets);
                                Tensor w = weighted ? Tensor.of(classWeights) : null;
                                Tensor eloss = ref.zeros(DType.F32, lossLen);
                                Tensor edx = ref.zeros(DType.F32, rows, k);
                                Tensor dxIn = b.fromHost(x);
                                Tensor dt = b.fromHost(t);
                                Tensor dw = w == null ? null : b.fromHost(w);
                                Tensor loss = b.zeros(DType.F32, lossLen);
                                Tensor loss2 = b.zeros(DType.F32, lossLen)) {
                            ref.softmaxXent(eloss, edx, x, t, w, -100, smoothing, reduction);
                            b.softmaxXent(loss2, null, dxIn, dt, dw, -100, smoothing, reduction); // loss only
                            b.softmaxXent(loss, dxIn, dxIn, dt, dw, -100, smoothing, reduction); // in place
                            assertClose(eloss.toFloatArray(), floats(b, loss), 1e-5, 1e-5, what + " loss");
                            assertClose(eloss.toFloatArray(), floats(b, loss2), 1e-5, 1e-5, what + " loss only");
                            assertClose(edx.toFloatArray(), floats(b, dxIn), 1e-6, 1e-4, k, what + " dlogits");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void rowNormsAndTopkMatch(Backend b) {
        int v = 257;
        int q = 5;
        for (int d : DIMS) {
            Random rnd = new Random(900 + d);
            float[] wv = gaussian(rnd, v * d);
            java.util.Arrays.fill(wv, 3 * d, 4 * d, 0f); // row 3 has norm 0
            long[] ex = {0, 7, -1, 3, v - 1, -1, -1, -1, 10, 11, 12, 13, 5, 5, -1};
            for (int k : new int[] {1, 10, v}) {
                for (boolean cosine : new boolean[] {true, false}) {
                    String what = b.name() + " topk D=" + d + " k=" + k + (cosine ? " cosine" : " dot");
                    try (Tensor w = Tensor.of(wv, v, d);
                            Tensor qs = Tensor.of(gaussian(rnd, q * d), q, d);
                            Tensor exclude = Tensor.of(ex, q, 3);
                            Tensor en = ref.zeros(DType.F32, v);
                            Tensor ei = ref.zeros(DType.I64, q, k);
                            Tensor es = ref.zeros(DType.F32, q, k);
                            Tensor dw = b.fromHost(w);
                            Tensor dq = b.fromHost(qs);
                            Tensor dex = b.fromHost(exclude);
                            Tensor norms = b.zeros(DType.F32, v);
                            Tensor ai = b.zeros(DType.I64, q, k);
                            Tensor as = b.zeros(DType.F32, q, k)) {
                        ref.rowNorms(en, w);
                        b.rowNorms(norms, dw);
                        assertClose(en.toFloatArray(), floats(b, norms), 1e-5, 1e-5, what + " norms");
                        ref.topk(ei, es, w, cosine ? en : null, qs, exclude);
                        b.topk(ai, as, dw, cosine ? norms : null, dq, dex);
                        assertTopkEquivalent(ei.toLongArray(), es.toFloatArray(), longs(b, ai), floats(b, as), k, what);
                    }
                }
            }
        }
    }

    /** Scores must match; rows must match except where the reference's neighbouring scores nearly tie. */
    private static void assertTopkEquivalent(
            long[] eIdx, float[] eScore, long[] aIdx, float[] aScore, int k, String what) {
        assertClose(eScore, aScore, 1e-4, 1e-4, k, what + " scores");
        for (int i = 0; i < eIdx.length; i++) {
            if (eIdx[i] != aIdx[i]) {
                int col = i % k;
                boolean nearTie = (col > 0 && Math.abs(eScore[i] - eScore[i - 1]) < 1e-4)
                        || (col + 1 < k && Math.abs(eScore[i] - eScore[i + 1]) < 1e-4)
                        || (eScore[i] == Float.NEGATIVE_INFINITY && eIdx[i] >= 0 && aIdx[i] >= 0);
                assertTrue(
                        nearTie,
                        what + ": row at (" + (i / k) + ", " + col + ") is " + aIdx[i] + ", expected " + eIdx[i]
                                + " (score " + eScore[i] + ")");
            }
        }
        assertEquals(eIdx.length, aIdx.length, what);
    }
}
