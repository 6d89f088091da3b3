package org.embed4j.nn;

import static org.embed4j.nn.NnAssert.assertClose;
import static org.embed4j.nn.NnAssert.dot;
import static org.embed4j.nn.NnAssert.numericGrad;
import static org.embed4j.nn.NnAssert.randoms;
import static org.embed4j.nn.NnAssert.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.embed4j.backend.Backend;
import org.embed4j.backend.BagMode;
import org.embed4j.backend.Reduction;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference gradient checks of every module and the loss on the Java reference backend: backward's
 * dInput and parameter gradients must match central differences of L = Σ out·r (r random), computed in double
 * from float32 forwards. Where PyTorch's gradient is not the derivative of the forward (padding rows,
 * scale_grad_by_freq, max_norm) the expectation is PyTorch's rule applied to the finite differences.
 */
class GradCheckTest {
    private static final double ATOL = 2e-3;
    private static final double RTOL = 1e-2;
    final Backend b = backend();

    /** Initial weights independent of test order: some checks need their inputs away from kinks and ties. */
    @org.junit.jupiter.api.BeforeEach
    void seed() {
        Init.manualSeed(20261128L);
    }

    /** The backend under test; {@link GradCheckCpuTest} runs the same checks on the native CPU backend. */
    Backend backend() {
        return NnAssert.java();
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "padding", "negative-padding", "freq", "padding+freq"})
    void embedding(String variant) {
        Embedding.Options o = Embedding.Options.defaults();
        if (variant.contains("padding")) {
            o = o.withPaddingIdx(variant.startsWith("negative") ? -5 : 2);
        }
        if (variant.contains("freq")) {
            o = o.withScaleGradByFreq(true);
        }
        long[] ids = {1, 2, 2, 6, 0, 2, 3, 6};
        int v = 7;
        int d = 5;
        float[] r = randoms(11, ids.length * d);
        try (Embedding e = new Embedding(v, d, o, b);
                Tensor idx = Tensor.of(ids, 2, 4);
                Tensor dOut = Tensor.of(r, 2, 4, d)) {
            assertEquals(2, e.paddingIdx() < 0 ? 2 : e.paddingIdx(), "paddingIdx -5 of 7 wraps to 2");
            Tensor out = e.forward(idx);
            assertEquals(3, out.rank());
            e.backward(dOut);
            float[] grad = values(b, e.weight().grad());
            double[] num =
                    numericGrad(e.weight().data(), () -> dot(e.forward(idx).toFloatArray(), r), 1e-2f);
            int[] freq = new int[v];
            for (long id : ids) {
                freq[(int) id]++;
            }
            for (int row = 0; row < v; row++) {
                for (int k = 0; k < d; k++) {
                    if (row == e.paddingIdx()) {
                        num[row * d + k] = 0;
                    } else if (o.scaleGradByFreq() && freq[row] > 0) {
                        num[row * d + k] /= freq[row];
                    }
                }
            }
            assertClose(num, grad, ATOL, RTOL, "Embedding(" + variant + ") weight grad");
        }
    }

    @Test
    void embeddingMaxNormRenormsInPlaceAndGradientIsTheLookups() {
        int v = 6;
        int d = 4;
        float maxNorm = 1.5f;
        long[] ids = {0, 2, 2, 5};
        try (Embedding e = new Embedding(v, d, Embedding.Options.defaults().withMaxNorm(maxNorm), b);
                Tensor idx = Tensor.of(ids);
                Tensor dOut = Tensor.of(randoms(3, ids.length * d), ids.length, d)) {
            float[] before = values(b, e.weight().data());
            float[] out = e.forward(idx).toFloatArray();
            float[] after = values(b, e.weight().data());
            float[] expected = before.clone();
            for (int row : new int[] {0, 2, 5}) {
                double norm = 0;
                for (int k = 0; k < d; k++) {
                    norm += (double) before[row * d + k] * before[row * d + k];
                }
                norm = Math.sqrt(norm);
                if (norm > maxNorm) {
                    for (int k = 0; k < d; k++) {
                        expected[row * d + k] = (float) (before[row * d + k] * (maxNorm / (norm + 1e-7)));
                    }
                }
            }
            assertClose(expected, after, 1e-6, 1e-5, "weights after max_norm renorm (rows 1, 3, 4 untouched)");
            for (int n = 0; n < ids.length; n++) {
                for (int k = 0; k < d; k++) {
                    assertEquals(after[(int) ids[n] * d + k], out[n * d + k], "forward returns the renormed rows");
                }
            }
            e.backward(dOut);
            float[] r = dOut.toFloatArray();
            double[] scatter = new double[v * d];
            for (int n = 0; n < ids.length; n++) {
                for (int k = 0; k < d; k++) {
                    scatter[(int) ids[n] * d + k] += r[n * d + k];
                }
            }
            assertClose(
                    scatter,
                    values(b, e.weight().grad()),
                    1e-6,
                    1e-6,
                    "max_norm gradient = scatter of dOut (no gradient through the renorm)");
        }
    }

    @ParameterizedTest
    @EnumSource(BagMode.class)
    void embeddingBagWithOffsets(BagMode mode) {
        checkBag(mode, false, false);
    }

    @Test
    void embeddingBagSumWithPerSampleWeights() {
        checkBag(BagMode.SUM, true, false);
    }

    @ParameterizedTest
    @EnumSource(BagMode.class)
    void embeddingBagWithPadding(BagMode mode) {
        checkBag(mode, mode == BagMode.SUM, true);
    }

    private void checkBag(BagMode mode, boolean weighted, boolean padding) {
        int v = 8;
        int d = 3;
        long[] ids = {1, 4, 4, 0, 6, 2, 7, 3, 5};
        long[] offs = {0, 3, 3, 5}; // bag 1 is empty
        EmbeddingBag.Options o = EmbeddingBag.Options.defaults().withMode(mode);
        if (padding) {
            o = o.withPaddingIdx(4);
        }
        float[] r = randoms(5, offs.length * d);
        float h = mode == BagMode.MAX ? 1e-3f : 1e-2f;
        try (EmbeddingBag bag = new EmbeddingBag(v, d, o, b);
                Tensor idx = Tensor.of(ids);
                Tensor off = Tensor.of(offs);
                Tensor psw = weighted ? Tensor.of(randoms(9, ids.length)) : null;
                Tensor dOut = Tensor.of(r, offs.length, d)) {
            Tensor out = bag.forward(idx, off, psw);
            assertEquals(offs.length, out.size(0));
            for (int k = 0; k < d; k++) {
                assertEquals(0f, out.getFloat(d + k), "empty bag gives zeros");
            }
            bag.backward(dOut);
            float[] grad = values(b, bag.weight().grad());
            float[] dPsw = weighted ? values(b, bag.perSampleWeightsGrad()) : null;
            double[] num = numericGrad(
                    bag.weight().data(), () -> dot(bag.forward(idx, off, psw).toFloatArray(), r), h);
            if (padding) {
                for (int k = 0; k < d; k++) {
                    num[4 * d + k] = 0;
                }
            }
            String what = "EmbeddingBag(" + mode + (weighted ? ", weighted" : "") + (padding ? ", padding" : "") + ")";
            assertClose(num, grad, ATOL, RTOL, what + " weight grad");
            if (weighted) {
                double[] numPsw =
                        numericGrad(psw, () -> dot(bag.forward(idx, off, psw).toFloatArray(), r), 1e-2f);
                assertClose(numPsw, dPsw, ATOL, RTOL, what + " per-sample-weights grad");
            }
        }
    }

    @Test
    void embeddingBagTwoDimensionalInputAndIncludeLastOffset() {
        int v = 6;
        int d = 4;
        float[] r = randoms(8, 2 * d);
        try (EmbeddingBag bag = new EmbeddingBag(v, d, EmbeddingBag.Options.defaults(), b);
                Tensor idx2 = Tensor.of(new long[] {0, 1, 5, 2, 2, 3}, 2, 3);
                Tensor idx1 = Tensor.of(new long[] {0, 1, 5, 2, 2, 3});
                Tensor offLast = Tensor.of(new long[] {0, 3, 6});
                Tensor dOut = Tensor.of(r, 2, d)) {
            float[] out2 = bag.forward(idx2).toFloatArray();
            try (EmbeddingBag last =
                    new EmbeddingBag(v, d, EmbeddingBag.Options.defaults().withIncludeLastOffset(true), b)) {
                last.weight().data().copyFrom(values(b, bag.weight().data()));
                assertClose(out2, last.forward(idx1, offLast).toFloatArray(), 0, 0, "include_last_offset = 2-D bags");
            }
            bag.forward(idx2);
            bag.backward(dOut);
            double[] num =
                    numericGrad(bag.weight().data(), () -> dot(bag.forward(idx2).toFloatArray(), r), 1e-2f);
            assertClose(num, values(b, bag.weight().grad()), ATOL, RTOL, "EmbeddingBag 2-D input weight grad");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void linear(boolean bias) {
        int n = 3;
        int in = 5;
        int outF = 4;
        float[] r = randoms(21, n * outF);
        try (Linear lin = new Linear(in, outF, bias, b);
                Tensor x = Tensor.of(randoms(22, n * in), n, in);
                Tensor dOut = Tensor.of(r, n, outF)) {
            lin.forward(x);
            float[] dx = lin.backward(dOut).toFloatArray();
            float[] dw = values(b, lin.weight().grad());
            assertClose(
                    numericGrad(x, () -> dot(lin.forward(x).toFloatArray(), r), 1e-2f),
                    dx,
                    ATOL,
                    RTOL,
                    "Linear dInput");
            assertClose(
                    numericGrad(lin.weight().data(), () -> dot(lin.forward(x).toFloatArray(), r), 1e-2f),
                    dw,
                    ATOL,
                    RTOL,
                    "Linear weight grad");
            if (bias) {
                float[] db = values(b, lin.bias().grad());
                assertClose(
                        numericGrad(lin.bias().data(), () -> dot(lin.forward(x).toFloatArray(), r), 1e-2f),
                        db,
                        ATOL,
                        RTOL,
                        "Linear bias grad");
            } else {
                assertEquals(null, lin.bias());
            }
        }
    }

    @Test
    void linearGradientsAccumulateAcrossBackwardCalls() {
        try (Linear lin = new Linear(3, 2, true, b);
                Tensor x = Tensor.of(randoms(1, 6), 2, 3);
                Tensor dOut = Tensor.of(randoms(2, 4), 2, 2)) {
            lin.forward(x);
            lin.backward(dOut);
            float[] once = values(b, lin.weight().grad());
            lin.backward(dOut);
            float[] twice = values(b, lin.weight().grad());
            for (int i = 0; i < once.length; i++) {
                assertEquals(2 * once[i], twice[i], 1e-6, "backward adds into the gradient");
            }
            lin.zeroGrad();
            assertEquals(null, lin.weight().grad(), "zeroGrad sets the gradient to none");
        }
    }

    @Test
    void reluAndSequential() {
        float[] xs = randoms(31, 12);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = xs[i] + Math.copySign(0.1f, xs[i]); // away from the kink
        }
        float[] r = randoms(32, 12);
        try (ReLU relu = new ReLU(b);
                Tensor x = Tensor.of(xs, 3, 4);
                Tensor dOut = Tensor.of(r, 3, 4)) {
            relu.forward(x);
            float[] dx = relu.backward(dOut).toFloatArray();
            assertClose(
                    numericGrad(x, () -> dot(relu.forward(x).toFloatArray(), r), 1e-3f), dx, ATOL, RTOL, "ReLU dInput");
        }
        float[] r2 = randoms(33, 6);
        try (Sequential seq = new Sequential(new Linear(4, 5, true, b), new ReLU(b), new Linear(5, 2, true, b));
                Tensor x = Tensor.of(randoms(34, 12), 3, 4);
                Tensor dOut = Tensor.of(r2, 3, 2)) {
            // Finite differences of h = 1e-3 move a pre-activation by < 0.005: keep every one farther from the kink.
            Linear first = (Linear) seq.get(0);
            for (int attempt = 0; minAbs(first.forward(x).toFloatArray()) < 0.01f; attempt++) {
                assertTrue(attempt < 100, "no initialisation with pre-activations away from 0");
                Init.uniform(first.bias().data(), -0.5, 0.5);
            }
            assertEquals(
                    java.util.List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                    java.util.List.copyOf(seq.namedParameters().keySet()),
                    "PyTorch's dotted names");
            seq.forward(x);
            float[] dx = seq.backward(dOut).toFloatArray();
            float[] dw0 = values(b, seq.namedParameters().get("0.weight").grad());
            assertClose(
                    numericGrad(x, () -> dot(seq.forward(x).toFloatArray(), r2), 1e-3f),
                    dx,
                    ATOL,
                    RTOL,
                    "Sequential dInput");
            assertClose(
                    numericGrad(
                            seq.namedParameters().get("0.weight").data(),
                            () -> dot(seq.forward(x).toFloatArray(), r2),
                            1e-3f),
                    dw0,
                    ATOL,
                    RTOL,
                    "Sequential 0.weight grad");
        }
    }

    private static float minAbs(float[] v) {
        float m = Float.MAX_VALUE;
        for (float x : v) {
            m = Math.min(m, Math.abs(x));
        }
        return m;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "plain",
                "weight",
                "smoothing",
                "ignore",
                "weight+smoothing+ignore",
                "sum",
                "none",
                "sum+smoothing+weight"
            })
    void crossEntropy(String variant) {
        int bsz = 4;
        int k = 5;
        CrossEntropyLoss.Options o = CrossEntropyLoss.Options.defaults();
        try (Tensor w = Tensor.of(new float[] {0.5f, 1f, 2f, 0.25f, 1.5f})) {
            if (variant.contains("weight")) {
                o = o.withWeight(w);
            }
            if (variant.contains("smoothing")) {
                o = o.withLabelSmoothing(0.2f);
            }
            if (variant.contains("ignore")) {
                o = o.withIgnoreIndex(3);
            }
            if (variant.startsWith("sum")) {
                o = o.withReduction(Reduction.SUM);
            } else if (variant.equals("none")) {
                o = o.withReduction(Reduction.NONE);
            }
            try (CrossEntropyLoss ce = new CrossEntropyLoss(o, b);
                    Tensor logits = Tensor.of(randoms(41, bsz * k), bsz, k);
                    Tensor target = Tensor.of(new long[] {1, 3, 0, 4})) {
                ce.forward(logits, target);
                float[] dl = ce.backward().toFloatArray();
                double[] num = numericGrad(
                        logits,
                        () -> {
                            float[] loss = ce.forward(logits, target).toFloatArray();
                            double s = 0;
                            for (float x : loss) {
                                s += x;
                            }
                            return s;
                        },
                        1e-2f);
                assertClose(num, dl, 1e-3, RTOL, "CrossEntropyLoss(" + variant + ") dLogits");
                if (variant.contains("ignore")) {
                    for (int c = 0; c < k; c++) {
                        assertEquals(0f, dl[k + c], "the ignored row gets no gradient");
                    }
                }
            }
        }
    }

    @Test
    void crossEntropyWithEveryTargetIgnoredIsNaNWithZeroGradient() {
        try (CrossEntropyLoss ce = new CrossEntropyLoss(CrossEntropyLoss.Options.defaults(), b);
                Tensor logits = Tensor.of(randoms(7, 6), 2, 3);
                Tensor target = Tensor.of(new long[] {-100, -100})) {
            ce.forward(logits, target);
            assertTrue(Float.isNaN(ce.item()), "PyTorch gives NaN for a mean over no targets");
            for (float g : ce.backward().toFloatArray()) {
                assertEquals(0f, g);
            }
        }
        try (CrossEntropyLoss ce = new CrossEntropyLoss(CrossEntropyLoss.Options.defaults(), b);
                Tensor logits = Tensor.of(randoms(7, 6), 2, 3);
                Tensor target = Tensor.of(new long[] {1, 3})) {
            assertThrows(IndexOutOfBoundsException.class, () -> ce.forward(logits, target), "target 3 of 3 classes");
        }
    }

    @Test
    void crossEntropyValueMatchesTheFormula() {
        float[] lg = randoms(51, 6);
        try (CrossEntropyLoss ce =
                        new CrossEntropyLoss(CrossEntropyLoss.Options.defaults().withLabelSmoothing(0.1f), b);
                Tensor logits = Tensor.of(lg, 2, 3);
                Tensor target = Tensor.of(new int[] {2, 0})) {
            ce.forward(logits, target);
            double expected = 0;
            int[] t = {2, 0};
            for (int row = 0; row < 2; row++) {
                double max = Math.max(lg[row * 3], Math.max(lg[row * 3 + 1], lg[row * 3 + 2]));
                double z = 0;
                for (int c = 0; c < 3; c++) {
                    z += Math.exp(lg[row * 3 + c] - max);
                }
                double lse = max + Math.log(z);
                double smooth = 0;
                for (int c = 0; c < 3; c++) {
                    smooth += lse - lg[row * 3 + c];
                }
                expected += 0.9 * (lse - lg[row * 3 + t[row]]) + 0.1 * smooth / 3;
            }
            assertEquals(expected / 2, ce.item(), 1e-6, "mean smoothed cross-entropy");
        }
    }

    @Test
    void dropoutMasksScalesAndPassesGradientThroughTheSameMask() {
        float p = 0.25f;
        int n = 4000;
        float[] xs = new float[n];
        java.util.Arrays.fill(xs, 2f);
        try (Dropout drop = new Dropout(p, 7L, b);
                Tensor x = Tensor.of(xs);
                Tensor dOut = Tensor.of(randoms(61, n))) {
            float[] out = drop.forward(x).toFloatArray();
            float[] dx = drop.backward(dOut).toFloatArray();
            float[] r = dOut.toFloatArray();
            int zeros = 0;
            for (int i = 0; i < n; i++) {
                float mask = out[i] / 2f;
                if (mask == 0f) {
                    zeros++;
                } else {
                    assertEquals(1f / (1f - p), mask, 1e-6, "survivors are scaled by 1/(1-p)");
                }
                assertEquals(r[i] * mask, dx[i], 1e-6, "backward uses the forward's mask");
            }
            assertEquals(p, zeros / (double) n, 0.03, "fraction dropped");
            drop.eval();
            assertNotNull(drop.forward(x));
            assertClose(xs, drop.forward(x).toFloatArray(), 0, 0, "eval mode is the identity");
        }
    }
}
