package org.embed4j.optim;

import static org.embed4j.nn.NnAssert.assertClose;
import static org.embed4j.nn.NnAssert.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.embed4j.backend.Backend;
import org.embed4j.nn.Embedding;
import org.embed4j.nn.NnAssert;
import org.embed4j.nn.Parameter;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two steps of each optimizer on fixed numbers against PyTorch's update formulas computed here in double
 * (torch.optim docs, PyTorch 2.x), to 1e-6; the lazy SparseAdam; sparse and dense paths agreeing; PyTorch's
 * refusals; and the schedulers' closed forms.
 */
class OptimizerStepTest {
    private static final float[] W0 = {0.5f, -1.2f, 2.0f, 0.03f};
    private static final float[] G1 = {0.1f, -0.3f, 0.7f, 0f};
    private static final float[] G2 = {-0.2f, 0.05f, 0.4f, 1.5f};
    final Backend b = backend();

    /** The backend under test; {@link OptimizerStepCpuTest} runs the same steps on the native CPU backend. */
    Backend backend() {
        return NnAssert.java();
    }

    private Parameter param() {
        return new Parameter(b, b.fromHost(tensor(W0)), true);
    }

    private static Tensor tensor(float[] v) {
        return Tensor.of(v);
    }

    private static void step(Optimizer opt, Parameter p, float[] g) {
        opt.zeroGrad();
        try (Tensor t = tensor(g)) {
            p.accumulateGrad(t);
        }
        opt.step();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sgdMomentum(boolean nesterov) {
        float lr = 0.1f;
        float mu = 0.9f;
        float damp = nesterov ? 0f : 0.1f;
        float wd = 0.01f;
        try (Parameter p = param();
                SGD opt = new SGD(List.of(p), lr, mu, damp, wd, nesterov)) {
            step(opt, p, G1);
            step(opt, p, G2);
            double[] w = toDouble(W0);
            double[] buf = new double[w.length];
            for (int t = 1; t <= 2; t++) {
                float[] g = t == 1 ? G1 : G2;
                for (int i = 0; i < w.length; i++) {
                    double gi = g[i] + wd * w[i];
                    buf[i] = t == 1 ? gi : mu * buf[i] + (1 - damp) * gi;
                    double upd = nesterov ? gi + mu * buf[i] : buf[i];
                    w[i] -= lr * upd;
                }
            }
            assertClose(w, values(b, p.data()), 1e-6, 0, "SGD momentum" + (nesterov ? " nesterov" : ""));
            assertClose(buf, values(b, opt.state1(p)), 1e-6, 0, "momentum buffer");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void adamAndAdamW(boolean decoupled) {
        float lr = 0.01f;
        float b1 = 0.9f;
        float b2 = 0.999f;
        float eps = 1e-8f;
        float wd = 0.1f;
        try (Parameter p = param();
                Adam opt = decoupled
                        ? new AdamW(List.of(p), lr, b1, b2, eps, wd)
                        : new Adam(List.of(p), lr, b1, b2, eps, wd)) {
            step(opt, p, G1);
            step(opt, p, G2);
            double[] w = toDouble(W0);
            double[] m = new double[w.length];
            double[] v = new double[w.length];
            for (int t = 1; t <= 2; t++) {
                float[] g = t == 1 ? G1 : G2;
                for (int i = 0; i < w.length; i++) {
                    double gi = g[i];
                    if (decoupled) {
                        w[i] *= 1 - lr * wd;
                    } else {
                        gi += wd * w[i];
                    }
                    m[i] = b1 * m[i] + (1 - b1) * gi;
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                    double bc1 = 1 - Math.pow(b1, t);
                    double bc2 = 1 - Math.pow(b2, t);
                    w[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
                }
            }
            assertClose(w, values(b, p.data()), 1e-6, 0, decoupled ? "AdamW" : "Adam");
            assertClose(m, values(b, opt.state1(p)), 1e-6, 0, "exp_avg");
            assertClose(v, values(b, opt.state2(p)), 1e-7, 0, "exp_avg_sq");
        }
    }

    @Test
    void adagradWithLrDecayWeightDecayAndInitialAccumulator() {
        float lr = 0.1f;
        float lrDecay = 0.5f;
        float wd = 0.1f;
        float init = 0.2f;
        float eps = 1e-10f;
        try (Parameter p = param();
                Adagrad opt = new Adagrad(List.of(p), lr, lrDecay, wd, init, eps)) {
            step(opt, p, G1);
            step(opt, p, G2);
            double[] w = toDouble(W0);
            double[] sum = new double[w.length];
            java.util.Arrays.fill(sum, init);
            for (int t = 1; t <= 2; t++) {
                float[] g = t == 1 ? G1 : G2;
                double clr = lr / (1 + (t - 1) * lrDecay);
                for (int i = 0; i < w.length; i++) {
                    double gi = g[i] + wd * w[i];
                    sum[i] += gi * gi;
                    w[i] -= clr * gi / (Math.sqrt(sum[i]) + eps);
                }
            }
            assertClose(w, values(b, p.data()), 1e-6, 0, "Adagrad");
            assertClose(sum, values(b, opt.state1(p)), 1e-6, 0, "Adagrad sum");
        }
    }

    @Test
    void sparseAdamIsLazy() {
        int v = 5;
        int d = 2;
        float lr = 0.05f;
        float b1 = 0.9f;
        float b2 = 0.999f;
        float eps = 1e-8f;
        float[] w0 = NnAssert.randoms(3, v * d);
        try (Parameter p = new Parameter(b, b.fromHost(Tensor.of(w0, v, d)), true);
                SparseAdam opt = new SparseAdam(List.of(p), lr, b1, b2, eps)) {
            long[][] ids = {{1, 3, 1}, {3, 4}};
            float[][] rows = {{0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f}, {0.7f, -0.8f, 0.9f, 1.0f}};
            for (int t = 0; t < 2; t++) {
                opt.zeroGrad();
                try (Tensor idx = Tensor.of(ids[t]);
                        Tensor g = Tensor.of(rows[t], ids[t].length, d)) {
                    p.accumulateSparseGrad(idx, g, -1);
                }
                opt.step();
            }
            double[] w = toDouble(w0);
            double[] m = new double[v * d];
            double[] s = new double[v * d];
            for (int t = 1; t <= 2; t++) {
                double[] g = new double[v * d];
                boolean[] touched = new boolean[v];
                for (int k = 0; k < ids[t - 1].length; k++) {
                    int r = (int) ids[t - 1][k];
                    touched[r] = true;
                    for (int j = 0; j < d; j++) {
                        g[r * d + j] += rows[t - 1][k * d + j];
                    }
                }
                double stepSize = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
                for (int r = 0; r < v; r++) {
                    if (!touched[r]) {
                        continue;
                    }
                    for (int j = 0; j < d; j++) {
                        int i = r * d + j;
                        m[i] += (g[i] - m[i]) * (1 - b1);
                        s[i] += (g[i] * g[i] - s[i]) * (1 - b2);
                        w[i] -= stepSize * m[i] / (Math.sqrt(s[i]) + eps);
                    }
                }
            }
            float[] got = values(b, p.data());
            assertClose(w, got, 1e-6, 0, "SparseAdam");
            for (int j = 0; j < d; j++) {
                assertEquals(w0[j], got[j], "row 0 never touched: unchanged bit for bit");
                assertEquals(w0[2 * d + j], got[2 * d + j], "row 2 never touched: unchanged bit for bit");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adagrad"})
    void sparseAndDenseEmbeddingsTrainTheSame(String kind) {
        long[] ids = {3, 1, 3, 0, 6, 3};
        float[] dOut = NnAssert.randoms(77, ids.length * 4);
        try (Embedding dense = new Embedding(8, 4, Embedding.Options.defaults(), b);
                Embedding sparse =
                        new Embedding(8, 4, Embedding.Options.defaults().withSparse(true), b);
                Tensor idx = Tensor.of(ids);
                Tensor g = Tensor.of(dOut, ids.length, 4)) {
            sparse.weight().data().copyFrom(values(b, dense.weight().data()));
            Optimizer od =
                    kind.equals("sgd") ? new SGD(dense.parameters(), 0.5f) : new Adagrad(dense.parameters(), 0.5f);
            Optimizer os =
                    kind.equals("sgd") ? new SGD(sparse.parameters(), 0.5f) : new Adagrad(sparse.parameters(), 0.5f);
            try (od;
                    os) {
                for (int t = 0; t < 3; t++) {
                    for (Embedding e : List.of(dense, sparse)) {
                        e.zeroGrad();
                        e.forward(idx);
                        e.backward(g);
                    }
                    assertTrue(sparse.weight().grad() == null && sparse.weight().sparseGrad() != null);
                    try (Tensor dg = sparse.weight().sparseGrad().toDense()) {
                        assertClose(
                                values(b, dense.weight().grad()), values(b, dg), 1e-6, 1e-6, "sparse grad densified");
                    }
                    od.step();
                    os.step();
                }
                assertClose(
                        values(b, dense.weight().data()),
                        values(b, sparse.weight().data()),
                        1e-6,
                        1e-6,
                        kind + ": sparse fused update = dense update");
            }
        }
    }

    @Test
    void pytorchRefusalsAreClearErrors() {
        try (Embedding sparse = new Embedding(4, 2, Embedding.Options.defaults().withSparse(true), b);
                Parameter dense = param();
                Tensor idx = Tensor.of(new long[] {1});
                Tensor g = Tensor.of(new float[] {1f, 2f}, 1, 2);
                Tensor dg = tensor(G1)) {
            sparse.forward(idx);
            sparse.backward(g);
            dense.accumulateGrad(dg);
            try (Adam adam = new Adam(sparse.parameters());
                    SparseAdam sa = new SparseAdam(List.of(dense));
                    SGD mom = new SGD(sparse.parameters(), 0.1f, 0.9f, 0f, 0f, false)) {
                assertTrue(assertThrows(UnsupportedOperationException.class, adam::step)
                        .getMessage()
                        .contains("SparseAdam"));
                assertTrue(assertThrows(UnsupportedOperationException.class, sa::step)
                        .getMessage()
                        .contains("dense"));
                assertThrows(UnsupportedOperationException.class, mom::step);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(param()), -1f));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(param()), 1e-3f, 1f, 0.999f, 1e-8f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(param()), 0.1f, 0f, 0f, 0f, true));
    }

    @Test
    void schedulersFollowPyTorchsClosedForms() {
        try (Parameter p = param();
                SGD opt = new SGD(List.of(p), 0.8f)) {
            LinearLR lin = new LinearLR(opt, 1.0, 0.0, 10);
            assertEquals(0.8f, opt.lr(), 1e-7);
            for (int i = 0; i < 5; i++) {
                lin.step();
            }
            assertEquals(0.4f, opt.lr(), 1e-7);
            for (int i = 0; i < 10; i++) {
                lin.step();
            }
            assertEquals(0f, lin.lastLr(), 1e-7, "stays at end factor after totalIters");
        }
        try (Parameter p = param();
                SGD opt = new SGD(List.of(p), 1f)) {
            StepLR st = new StepLR(opt, 3, 0.5);
            float[] expected = {1f, 1f, 1f, 0.5f, 0.5f, 0.5f, 0.25f};
            for (int e = 0; e < expected.length; e++) {
                assertEquals(expected[e], opt.lr(), 1e-7, "StepLR epoch " + e);
                st.step();
            }
        }
        try (Parameter p = param();
                SGD opt = new SGD(List.of(p), 1f)) {
            CosineAnnealingLR cos = new CosineAnnealingLR(opt, 10, 0.1);
            for (int i = 0; i < 5; i++) {
                cos.step();
            }
            assertEquals(0.55f, opt.lr(), 1e-6, "half way: (base + etaMin) / 2");
            for (int i = 0; i < 5; i++) {
                cos.step();
            }
            assertEquals(0.1f, opt.lr(), 1e-6, "at tMax: etaMin");
            assertEquals(10, cos.lastEpoch());
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
