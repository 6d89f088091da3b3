package org.embed4j.backend;

import static org.embed4j.backend.BackendSource.floats;
import static org.embed4j.backend.BackendSource.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input on every available backend: the right exception, a message naming the bad value, and outputs and
 * weights untouched after the failed call (each is compared with a copy taken before). The JVM must survive
 * all of it: native kernels check before they write.
 */
class BadInputTest {
    private static final int V = 5;
    private static final int D = 3;

    private static float[] weightValues() {
        float[] w = new float[V * D];
        for (int i = 0; i < w.length; i++) {
            w[i] = i * 0.5f - 3;
        }
        return w;
    }

    private static float[] sevens(int n) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, 7f);
        return x;
    }

    /** Runs the call, checks the exception type and that the message contains every fragment. */
    private static <T extends Throwable> void expect(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        String message = String.valueOf(e.getMessage());
        for (String f : fragments) {
            assertTrue(message.contains(f), "message \"" + message + "\" should name " + f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void gatherRejectsIndicesOutOfRangeBeforeWriting(Backend b) {
        try (Tensor w = put(b, weightValues(), V, D);
                Tensor out = put(b, sevens(3 * D), 3, D);
                Tensor negative = put(b, new long[] {1, 4, -1});
                Tensor tooBig = put(b, new int[] {0, V, 2})) {
            expect(IndexOutOfBoundsException.class, () -> b.gather(out, w, negative), "-1");
            expect(IndexOutOfBoundsException.class, () -> b.gather(out, w, tooBig), String.valueOf(V));
            assertArrayEquals(sevens(3 * D), floats(b, out), "out was written");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void bagForwardRejectsBadOffsetsAndIndicesBeforeWriting(Backend b) {
        try (Tensor w = put(b, weightValues(), V, D);
                Tensor idx = put(b, new long[] {0, 1, 2, 3, 4, 0});
                Tensor bad = put(b, new long[] {0, 1, 2, 9, 4, 0});
                Tensor out = put(b, sevens(3 * D), 3, D);
                Tensor decreasing = put(b, new long[] {0, 4, 3, 6});
                Tensor notZero = put(b, new long[] {2, 3, 4, 6});
                Tensor notN = put(b, new long[] {0, 2, 4, 5});
                Tensor good = put(b, new long[] {0, 2, 4, 6})) {
            expect(
                    IllegalArgumentException.class,
                    () -> b.embeddingBagForward(out, null, w, idx, decreasing, null, BagMode.SUM, -1),
                    "3");
            expect(
                    IllegalArgumentException.class,
                    () -> b.embeddingBagForward(out, null, w, idx, notZero, null, BagMode.MEAN, -1),
                    "2");
            expect(
                    IllegalArgumentException.class,
                    () -> b.embeddingBagForward(out, null, w, idx, notN, null, BagMode.SUM, -1),
                    "5");
            expect(
                    IndexOutOfBoundsException.class,
                    () -> b.embeddingBagForward(out, null, w, bad, good, null, BagMode.SUM, -1),
                    "9");
            assertArrayEquals(sevens(3 * D), floats(b, out), "out was written");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void bagBackwardRejectsBadOffsetsBeforeWriting(Backend b) {
        try (Tensor w = put(b, weightValues(), V, D);
                Tensor idx = put(b, new long[] {0, 1, 2, 3, 4, 0});
                Tensor dOut = put(b, sevens(3 * D), 3, D);
                Tensor dW = put(b, sevens(V * D), V, D);
                Tensor decreasing = put(b, new long[] {0, 4, 3, 6});
                SortedIndices s = b.sortIndices(idx, V, -1)) {
            expect(
                    IllegalArgumentException.class,
                    () -> b.embeddingBagBackward(dW, null, dOut, w, idx, decreasing, null, null, s, BagMode.SUM, false),
                    "3");
            assertArrayEquals(sevens(V * D), floats(b, dW), "dWeight was written");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void sortRejectsIndicesOutOfRange(Backend b) {
        try (Tensor idx = put(b, new long[] {3, 1, 12, 0})) {
            expect(
                    IndexOutOfBoundsException.class,
                    () -> b.sortIndices(idx, V, -1).close(),
                    "12");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void shapesDtypesNullsAndClosedTensorsAreRejected(Backend b) {
        Tensor closed = put(b, weightValues(), V, D);
        closed.close();
        try (Tensor w = put(b, weightValues(), V, D);
                Tensor idx = put(b, new long[] {1, 2});
                Tensor floatIdx = put(b, new float[] {1, 2});
                Tensor out = put(b, sevens(2 * D), 2, D);
                Tensor wideOut = put(b, sevens(2 * (D + 1)), 2, D + 1);
                Tensor threeOut = put(b, sevens(3 * D), 3, D);
                Tensor offsets = put(b, new long[] {0, 1, 2})) {
            expect(IllegalArgumentException.class, () -> b.gather(wideOut, w, idx), "out", "[2, 3]");
            expect(IllegalArgumentException.class, () -> b.gather(threeOut, w, idx), "out", "[2, 3]");
            expect(IllegalArgumentException.class, () -> b.gather(out, w, floatIdx), "indices", "F32");
            expect(IllegalArgumentException.class, () -> b.gather(out, idx, idx), "weight", "I64");
            expect(IllegalStateException.class, () -> b.gather(out, closed, idx), "closed");
            expect(NullPointerException.class, () -> b.gather(out, null, idx), "weight");
            expect(
                    NullPointerException.class,
                    () -> b.embeddingBagForward(out, null, w, idx, offsets, null, BagMode.MAX, -1),
                    "argmax");
            expect(IllegalArgumentException.class, () -> b.sortIndices(idx, V, V), "paddingIdx", String.valueOf(V));
            expect(IllegalArgumentException.class, () -> b.gemm(false, false, 1f, w, w, 0f, out), "inner");
            assertArrayEquals(sevens(2 * D), floats(b, out), "out was written");
            assertArrayEquals(sevens(3 * D), floats(b, threeOut), "out was written");
            if (!b.device().isHost()) {
                try (Tensor host = Tensor.of(weightValues(), V, D)) {
                    expect(
                            IllegalArgumentException.class,
                            () -> b.gather(out, host, idx),
                            "weight",
                            Device.CPU.toString());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void sortMadeForMoreRowsThanTheWeightIsRejectedBeforeWriting(Backend b) {
        try (Tensor idx = put(b, new long[] {1, 4});
                SortedIndices s = b.sortIndices(idx, V, -1);
                Tensor dOut = put(b, sevens(2 * D), 2, D);
                Tensor small = put(b, sevens(3 * D), 3, D)) {
            expect(
                    IllegalArgumentException.class,
                    () -> b.embeddingBackward(small, dOut, s, false),
                    "3",
                    String.valueOf(V));
            expect(
                    IllegalArgumentException.class,
                    () -> b.embeddingBackwardUpdate(small, null, null, dOut, s, false, OptimStep.sgd(1f)),
                    "3");
            expect(IllegalArgumentException.class, () -> b.embeddingRenorm(small, s, 1f, 2f), "3");
            assertArrayEquals(sevens(3 * D), floats(b, small), "dWeight was written");
        }
        if (b.device().isHost()) { // a hand-made sort is read on the host
            try (Tensor dOut = put(b, sevens(2 * D), 2, D);
                    Tensor small = put(b, sevens(3 * D), 3, D);
                    SortedIndices hand = new SortedIndices(
                            Tensor.of(new long[] {0, 8}),
                            Tensor.of(new long[] {0, 1, 2}),
                            Tensor.of(new long[] {0, 1}),
                            2,
                            2)) {
                expect(IndexOutOfBoundsException.class, () -> b.embeddingBackward(small, dOut, hand, false), "8");
                assertArrayEquals(sevens(3 * D), floats(b, small), "dWeight was written");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void unsupportedOptimizerKindsAreRefused(Backend b) {
        OptimStep adam = new OptimStep(OptimKind.ADAM, 1, 0.1f, 0, 0, 0, 0.9f, 0.999f, 1e-8f, false, false, false);
        OptimStep rowwise =
                new OptimStep(OptimKind.ROWWISE_ADAGRAD, 1, 0.1f, 0, 0, 0, 0, 0, 1e-8f, false, false, false);
        try (Tensor w = put(b, weightValues(), V, D);
                Tensor s1 = b.zeros(DType.F32, V, D);
                Tensor s2 = b.zeros(DType.F32, V, D);
                Tensor idx = put(b, new long[] {1, 2});
                Tensor dOut = put(b, sevens(2 * D), 2, D);
                SortedIndices s = b.sortIndices(idx, V, -1)) {
            expect(
                    UnsupportedOperationException.class,
                    () -> b.embeddingBackwardUpdate(w, s1, s2, dOut, s, false, adam),
                    "ADAM");
            expect(UnsupportedOperationException.class, () -> b.denseUpdate(w, s1, s2, w, rowwise), "ROWWISE_ADAGRAD");
            assertArrayEquals(weightValues(), floats(b, w), "weight was written");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.embed4j.backend.BackendSource#backends")
    void crossEntropyRejectsNonFiniteLogitsAndBadTargetsBeforeWriting(Backend b) {
        int rows = 3;
        int k = 7;
        float[] logits = new float[rows * k];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (i % 5) * 0.25f;
        }
        for (float poison : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] bad = logits.clone();
            bad[2 * k + 5] = poison; // (row, col) = (2, 5)
            try (Tensor x = put(b, bad, rows, k);
                    Tensor t = put(b, new long[] {1, 2, 3});
                    Tensor loss = put(b, new float[] {7})) {
                expect(
                        IllegalArgumentException.class,
                        () -> b.softmaxXent(loss, x, x, t, null, -100, 0.1f, Reduction.MEAN),
                        "2",
                        "5");
                assertArrayEquals(bad, floats(b, x), "logits were overwritten");
                assertArrayEquals(new float[] {7}, floats(b, loss), "loss was written");
            }
        }
        try (Tensor x = put(b, logits, rows, k);
                Tensor high = put(b, new long[] {1, 9, 3});
                Tensor low = put(b, new long[] {1, -100, -2});
                Tensor loss = put(b, sevens(rows), rows)) {
            expect(
                    IndexOutOfBoundsException.class,
                    () -> b.softmaxXent(loss, x, x, high, null, -100, 0f, Reduction.NONE),
                    "9");
            expect(
                    IndexOutOfBoundsException.class,
                    () -> b.softmaxXent(loss, x, x, low, null, -100, 0f, Reduction.NONE),
                    "-2");
            assertArrayEquals(logits, floats(b, x), "logits were overwritten");
            assertArrayEquals(sevens(rows), floats(b, loss), "loss was written");
        }
    }
}
