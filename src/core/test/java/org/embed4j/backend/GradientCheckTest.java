package org.embed4j.backend;

import static org.embed4j.backend.KernelInputs.gaussian;
import static org.embed4j.backend.TensorAssert.assertClose;

import java.util.Random;
import java.util.function.DoubleSupplier;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Java reference's backward kernels against central finite differences of its own forward kernels:
 * L = Σ forward(θ) ⊙ R for a fixed random R, so dL/dθ is what the backward computes from dOut = R.
 * Differences are taken on F32 with h = 1e-2 (1e-3 for max, whose inputs are spaced 0.05 apart so that no
 * step crosses a kink); the loss is summed in double.
 */
class GradientCheckTest {
    private static final double ATOL = 2e-3;
    private static final double RTOL = 1e-2;
    private final Backend ref = BackendSource.reference();

    /** dL/dθ[i] for every element of θ by central differences; θ is restored afterwards. */
    private static float[] numeric(Tensor theta, DoubleSupplier loss, double h) {
        float[] g = new float[(int) theta.numel()];
        for (int i = 0; i < g.length; i++) {
            float x = theta.getFloat(i);
            theta.setFloat(i, (float) (x + h));
            double up = loss.getAsDouble();
            theta.setFloat(i, (float) (x - h));
            double down = loss.getAsDouble();
            theta.setFloat(i, x);
            g[i] = (float) ((up - down) / (2 * h));
        }
        return g;
    }

    private static double dot(Tensor out, float[] r) {
        double s = 0;
        for (int i = 0; i < r.length; i++) {
            s += (double) out.getFloat(i) * r[i];
        }
        return s;
    }

    @Test
    void embeddingBackwardIsTheGradientOfGather() {
        Random rnd = new Random(1);
        int v = 5;
        int d = 3;
        long[] idx = {1, 3, 1, 4, 0, 1};
        float[] r = gaussian(rnd, idx.length * d);
        try (Tensor w = Tensor.of(gaussian(rnd, v * d), v, d);
                Tensor i = Tensor.of(idx);
                Tensor out = ref.zeros(DType.F32, idx.length, d);
                Tensor dOut = Tensor.of(r, idx.length, d);
                Tensor dW = ref.zeros(DType.F32, v, d);
                SortedIndices s = ref.sortIndices(i, v, -1)) {
            float[] num = numeric(
                    w,
                    () -> {
                        ref.gather(out, w, i);
                        return dot(out, r);
                    },
                    1e-2);
            ref.embeddingBackward(dW, dOut, s, false);
            assertClose(num, dW.toFloatArray(), ATOL, RTOL, d, "embedding dW");
        }
    }

    // Bags: [1,3,1 | (empty) | 4,0 | 2,2,3]; padding 2 (mean/sum) contributes nothing and gets no gradient.
    private static final long[] IDX = {1, 3, 1, 4, 0, 2, 2, 3};
    private static final long[] OFF = {0, 3, 3, 5, 8};

    @ParameterizedTest
    @EnumSource(BagMode.class)
    void bagBackwardIsTheGradientOfTheBagForward(BagMode mode) {
        Random rnd = new Random(2 + mode.ordinal());
        int v = 5;
        int d = 4;
        int b = OFF.length - 1;
        long padding = mode == BagMode.MAX ? -1 : 2;
        float[] wInit = mode == BagMode.MAX ? spacedValues(rnd, v * d) : gaussian(rnd, v * d);
        float[] r = gaussian(rnd, b * d);
        boolean weighted = mode == BagMode.SUM;
        try (Tensor w = Tensor.of(wInit, v, d);
                Tensor i = Tensor.of(IDX);
                Tensor off = Tensor.of(OFF);
                Tensor psw = weighted ? Tensor.of(gaussian(rnd, IDX.length)) : null;
                Tensor out = ref.zeros(DType.F32, b, d);
                Tensor argmax = ref.zeros(DType.I64, b, d);
                Tensor dOut = Tensor.of(r, b, d);
                Tensor dW = ref.zeros(DType.F32, v, d);
                Tensor dPsw = weighted ? ref.zeros(DType.F32, IDX.length) : null;
                SortedIndices s = ref.sortIndices(i, v, padding)) {
            Tensor am = mode == BagMode.MAX ? argmax : null;
            DoubleSupplier loss = () -> {
                ref.embeddingBagForward(out, am, w, i, off, psw, mode, padding);
                return dot(out, r);
            };
            double h = mode == BagMode.MAX ? 1e-3 : 1e-2;
            float[] numW = numeric(w, loss, h);
            var _ = loss.getAsDouble(); // leaves the unperturbed argmax for the backward
            ref.embeddingBagBackward(dW, dPsw, dOut, w, i, off, psw, am, s, mode, false);
            assertClose(numW, dW.toFloatArray(), ATOL, RTOL, d, mode + " bag dW");
            if (weighted) {
                assertClose(numeric(psw, loss, 1e-2), dPsw.toFloatArray(), ATOL, RTOL, mode + " dPerSampleWeights");
            }
        }
    }

    /** Distinct values 0.05 apart, shuffled: max never has a near-tie that a step of 1e-3 could flip. */
    private static float[] spacedValues(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i - n / 2) * 0.05f;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            float t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void crossEntropyGradientWithWeightsIgnoreIndexAndLabelSmoothing(Reduction reduction) {
        Random rnd = new Random(10 + reduction.ordinal());
        int b = 5;
        int k = 4;
        long[] targets = {2, -7, 0, 3, 2}; // -7 = ignore_index
        float[] classWeights = {0.5f, 2f, 1f, 1.5f};
        for (float smoothing : new float[] {0f, 0.2f}) {
            for (boolean weighted : new boolean[] {false, true}) {
                try (Tensor x = Tensor.of(gaussian(rnd, b * k), b, k);
                        Tensor t = Tensor.of(targets);
                        Tensor w = weighted ? Tensor.of(classWeights) : null;
                        Tensor loss = ref.zeros(DType.F32, reduction == Reduction.NONE ? b : 1);
                        Tensor dx = ref.zeros(DType.F32, b, k)) {
                    DoubleSupplier total = () -> {
                        ref.softmaxXent(loss, null, x, t, w, -7, smoothing, reduction);
                        double sum = 0;
                        for (int i = 0; i < loss.numel(); i++) {
                            sum += loss.getFloat(i);
                        }
                        return sum;
                    };
                    float[] num = numeric(x, total, 1e-2);
                    ref.softmaxXent(loss, dx, x, t, w, -7, smoothing, reduction);
                    assertClose(
                            num,
                            dx.toFloatArray(),
                            ATOL,
                            RTOL,
                            k,
                            reduction + " smoothing " + smoothing + (weighted ? " weighted" : ""));
                }
            }
        }
    }
}
