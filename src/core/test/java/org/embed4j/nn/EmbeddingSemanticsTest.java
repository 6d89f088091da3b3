package org.embed4j.nn;

import static org.embed4j.nn.NnAssert.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.embed4j.backend.Backend;
import org.embed4j.backend.BagMode;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyTorch's edge-case behaviour of Embedding / EmbeddingBag / Linear, state dicts and checkpoints, on the Java
 * reference backend.
 */
class EmbeddingSemanticsTest {
    private final Backend b = NnAssert.java();

    @TempDir
    Path dir;

    @Test
    void newEmbeddingIsStandardNormalWithAZeroPaddingRow() {
        try (Embedding e = new Embedding(400, 50, Embedding.Options.defaults().withPaddingIdx(-1), b)) {
            assertEquals(399, e.paddingIdx(), "-1 wraps to the last row");
            float[] w = values(b, e.weight().data());
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < 399 * 50; i++) {
                sum += w[i];
                sq += (double) w[i] * w[i];
            }
            int n = 399 * 50;
            assertEquals(0.0, sum / n, 0.05, "mean of N(0,1)");
            assertEquals(1.0, sq / n, 0.05, "variance of N(0,1)");
            for (int k = 0; k < 50; k++) {
                assertEquals(0f, w[399 * 50 + k], "padding row starts at zero");
            }
        }
    }

    @Test
    void badOptionsAndIndicesAreClearErrors() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new Embedding(5, 2, Embedding.Options.defaults().withPaddingIdx(5), b));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Embedding(5, 2, Embedding.Options.defaults().withPaddingIdx(-6), b));
        IllegalArgumentException sparseFreq = assertThrows(
                IllegalArgumentException.class,
                () -> new Embedding(
                        5, 2, Embedding.Options.defaults().withSparse(true).withScaleGradByFreq(true), b));
        assertTrue(sparseFreq.getMessage().contains("scaleGradByFreq"), sparseFreq.getMessage());
        try (Embedding e = new Embedding(5, 2, Embedding.Options.defaults(), b);
                Tensor idx = Tensor.of(new long[] {0, 4, 7, 1});
                Tensor neg = Tensor.of(new int[] {2, -1});
                Tensor floats = Tensor.of(new float[] {1f})) {
            IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class, () -> e.forward(idx));
            assertTrue(
                    oob.getMessage().contains("7") && oob.getMessage().contains("2"),
                    "names the value 7 and its position 2: " + oob.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> e.forward(neg));
            assertThrows(IllegalArgumentException.class, () -> e.forward(floats));
        }
        try (EmbeddingBag bag =
                        new EmbeddingBag(5, 2, EmbeddingBag.Options.defaults().withMode(BagMode.MEAN), b);
                Tensor idx = Tensor.of(new long[] {0, 1});
                Tensor off = Tensor.of(new long[] {0});
                Tensor badOff = Tensor.of(new long[] {1});
                Tensor w = Tensor.of(new float[] {1f, 2f})) {
            assertThrows(IllegalArgumentException.class, () -> bag.forward(idx, off, w), "psw needs SUM mode");
            assertThrows(IllegalArgumentException.class, () -> bag.forward(idx, badOff), "offsets[0] must be 0");
            assertThrows(IllegalArgumentException.class, () -> bag.forward(idx), "1-D input needs offsets");
        }
    }

    @Test
    void paddingRowIsReturnedAsStoredButGetsNoGradient() {
        try (Tensor pre = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
                Embedding e = Embedding.fromPretrained(
                        pre, false, Embedding.Options.defaults().withPaddingIdx(1), b);
                Tensor idx = Tensor.of(new int[] {1, 2, 1});
                Tensor dOut = Tensor.of(new float[] {1, 1, 1, 1, 1, 1}, 3, 2)) {
            assertArrayEquals(
                    new float[] {3, 4, 5, 6, 3, 4},
                    e.forward(idx).toFloatArray(),
                    "from_pretrained keeps the padding row's values and forward returns them");
            e.backward(dOut);
            assertArrayEquals(
                    new float[] {0, 0, 0, 0, 1, 1}, values(b, e.weight().grad()));
        }
        try (Tensor pre = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
                Embedding frozen = Embedding.fromPretrained(pre, true);
                Tensor idx = Tensor.of(new long[] {0});
                Tensor dOut = Tensor.of(new float[] {1, 1}, 1, 2)) {
            frozen.forward(idx);
            frozen.backward(dOut);
            assertNull(frozen.weight().grad(), "freeze=true: no gradient");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(BagMode.class)
    void sparseBagGradientEqualsTheDenseOne(BagMode mode) {
        long[] ids = {3, 1, 3, 0, 6, 3, 2};
        long[] offs = {0, 2, 2, 5};
        float[] psw = {0.5f, -1f, 2f, 1f, 0.25f, 3f, -0.5f};
        EmbeddingBag.Options o = EmbeddingBag.Options.defaults().withMode(mode).withPaddingIdx(6);
        try (EmbeddingBag dense = new EmbeddingBag(8, 3, o, b);
                EmbeddingBag sparse = new EmbeddingBag(8, 3, o.withSparse(true), b);
                Tensor idx = Tensor.of(ids);
                Tensor off = Tensor.of(offs);
                Tensor w = mode == BagMode.SUM ? Tensor.of(psw) : null;
                Tensor dOut = Tensor.of(NnAssert.randoms(4, 12), 4, 3)) {
            sparse.weight().data().copyFrom(values(b, dense.weight().data()));
            for (EmbeddingBag e : List.of(dense, sparse)) {
                e.forward(idx, off, w);
                e.backward(dOut);
            }
            assertNull(sparse.weight().grad());
            try (Tensor g = sparse.weight().sparseGrad().toDense()) {
                NnAssert.assertClose(
                        values(b, dense.weight().grad()), values(b, g), 1e-6, 1e-6, mode + " sparse bag grad");
            }
        }
    }

    @Test
    void embeddingBagMaxNormRenormsReferencedRows() {
        try (EmbeddingBag bag =
                        new EmbeddingBag(5, 4, EmbeddingBag.Options.defaults().withMaxNorm(0.5f), b);
                Tensor idx = Tensor.of(new long[] {1, 3}, 1, 2)) {
            float[] before = values(b, bag.weight().data());
            bag.forward(idx);
            float[] after = values(b, bag.weight().data());
            for (int row = 0; row < 5; row++) {
                double norm = 0;
                for (int k = 0; k < 4; k++) {
                    norm += (double) after[row * 4 + k] * after[row * 4 + k];
                }
                if (row == 1 || row == 3) {
                    assertEquals(0.5, Math.sqrt(norm), 1e-5, "row " + row + " renormed to max_norm");
                } else {
                    for (int k = 0; k < 4; k++) {
                        assertEquals(before[row * 4 + k], after[row * 4 + k], "row " + row + " untouched");
                    }
                }
            }
        }
    }

    @Test
    void outputShapeIsInputShapePlusDim() {
        try (Embedding e = new Embedding(10, 3, Embedding.Options.defaults(), b);
                Tensor idx = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 1, 3)) {
            assertArrayEquals(new long[] {2, 1, 3, 3}, e.forward(idx).shape());
        }
    }

    @Test
    void stateDictSaveAndLoadRoundTripWithPyTorchNames() throws Exception {
        Init.manualSeed(5);
        Path f = dir.resolve("model.safetensors");
        try (Sequential a =
                new Sequential(new Embedding(6, 4, Embedding.Options.defaults(), b), new Linear(4, 3, true, b))) {
            a.save(f);
            try (Sequential c =
                    new Sequential(new Embedding(6, 4, Embedding.Options.defaults(), b), new Linear(4, 3, true, b))) {
                assertTrue(
                        values(b, c.namedParameters().get("0.weight").data())[0]
                                != values(b, a.namedParameters().get("0.weight").data())[0],
                        "differently initialised");
                c.load(f);
                for (String k : a.namedParameters().keySet()) {
                    assertArrayEquals(
                            values(b, a.namedParameters().get(k).data()),
                            values(b, c.namedParameters().get(k).data()),
                            k);
                }
            }
            LinkedHashMap<String, Tensor> raw = Safetensors.read(f);
            try {
                assertEquals(List.of("0.weight", "1.weight", "1.bias"), List.copyOf(raw.keySet()));
                assertEquals("pt", Safetensors.metadata(f).get("format"));
            } finally {
                raw.values().forEach(Tensor::close);
            }
            try (Linear wrong = new Linear(4, 2, true, b)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.load(f));
                assertTrue(e.getMessage().contains("0.weight"), e.getMessage());
            }
        }
    }

    @Test
    void linearDefaultInitIsUniformWithinOneOverSqrtIn() {
        try (Linear lin = new Linear(64, 500, true, b)) {
            float bound = (float) (1 / Math.sqrt(64));
            float max = 0;
            for (float w : values(b, lin.weight().data())) {
                assertTrue(Math.abs(w) <= bound);
                max = Math.max(max, Math.abs(w));
            }
            assertTrue(max > 0.95f * bound, "fills the range");
            for (float w : values(b, lin.bias().data())) {
                assertTrue(Math.abs(w) <= bound);
            }
        }
    }
}
