package org.embed4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.embed4j.backend.Backends;
import org.embed4j.optim.SGD;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The fused sparse path never forms a (V,D) gradient: a 5M×64 Embedding(sparse=true) trained with SGD for 100
 * steps of 4,096 lookups allocates (through its backend, counted by {@link CountingBackend}) nothing close to
 * V·D·4 = 1.28 GB after the weight itself, and only the touched rows change; and constructing a table allocates
 * it once on the backend.
 */
class SparseMemoryTest {
    private static final long V = 5_000_000;
    private static final long D = 64;
    private static final int N = 4096;

    @Test
    void hundredStepsOnA5MBy64SparseEmbeddingAllocateNoVxDBuffer() {
        CountingBackend backend = new CountingBackend(Backends.auto());
        long weightBytes = V * D * 4;
        Embedding e;
        try (Tensor zeros = Tensor.allocate(DType.F32, V, D)) {
            e = Embedding.fromPretrained(
                    zeros, false, Embedding.Options.defaults().withSparse(true), backend);
        }
        try (e;
                SGD opt = new SGD(e.parameters(), 0.1f)) {
            assertEquals(weightBytes, backend.allocatedBytes(), "construction allocates the weight once");
            backend.reset();
            SplittableRandom random = new SplittableRandom(42);
            long[] ids = new long[N];
            float[] grad = new float[N * (int) D];
            java.util.Arrays.fill(grad, 1f);
            long firstId = -1;
            try (Tensor dOut = Tensor.of(grad, N, D)) {
                for (int step = 0; step < 100; step++) {
                    for (int i = 0; i < N; i++) {
                        ids[i] = random.nextLong(V - 1); // row V-1 is never touched
                    }
                    if (firstId < 0) {
                        firstId = ids[0];
                    }
                    try (Tensor idx = Tensor.of(ids)) {
                        opt.zeroGrad();
                        e.forward(idx);
                        e.backward(dOut);
                        assertNull(e.weight().grad(), "no dense gradient");
                        opt.step();
                    }
                }
            }
            long allocated = backend.allocatedBytes();
            assertTrue(
                    backend.largestAllocation() < weightBytes / 100,
                    "largest single allocation " + backend.largestAllocation() + " B vs V*D*4 = " + weightBytes);
            assertTrue(allocated < weightBytes / 10, "100 steps allocated " + allocated + " B in total");
            try (Tensor rows = backend.toHost(e.weight().data().rows(V - 1, V))) {
                for (float x : rows.toFloatArray()) {
                    assertEquals(0f, x, "untouched row stays zero");
                }
            }
            try (Tensor row = backend.toHost(e.weight().data().rows(firstId, firstId + 1))) {
                assertNotEquals(0f, row.getFloat(0), "a touched row moved");
            }
            assertEquals(List.of("weight"), List.copyOf(e.namedParameters().keySet()));
        }
    }

    /**
     * A new Embedding / EmbeddingBag allocates its (V,D) table once on the backend (on a host backend nothing else;
     * a device backend gets it drawn on the host and uploaded ~4 MiB at a time), and the values are those of one
     * host-side N(0,1) draw in one piece: the piecewise upload keeps the draw order, so seeds mean the same weights
     * on every backend.
     */
    @Test
    void constructionAllocatesTheTableOnceAndDrawsTheSameValues() {
        CountingBackend backend = new CountingBackend(Backends.auto());
        long v = 100_000;
        long d = 48; // several ~4 MiB upload pieces on a device, the last one partial
        long pad = 30_000;
        long tableBytes = v * d * 4;
        Init.manualSeed(3);
        try (Embedding e = new Embedding(v, d, Embedding.Options.defaults().withPaddingIdx(pad), backend);
                EmbeddingBag bag = new EmbeddingBag(v, d, EmbeddingBag.Options.defaults(), backend)) {
            assertEquals(2, backend.allocationsOfAtLeast(tableBytes / 2), "one table per module");
            assertEquals(tableBytes, backend.largestAllocation());
            if (backend.device().isHost()) {
                assertEquals(2 * tableBytes, backend.allocatedBytes(), "nothing else on a host backend");
            }
            Init.manualSeed(3);
            try (Tensor first = Tensor.allocate(DType.F32, v, d);
                    Tensor second = Tensor.allocate(DType.F32, v, d);
                    Tensor gotFirst = backend.toHost(e.weight().data());
                    Tensor gotSecond = backend.toHost(bag.weight().data())) {
                Init.normal(first, 0.0, 1.0);
                Init.normal(second, 0.0, 1.0);
                float[] want = first.toFloatArray();
                java.util.Arrays.fill(want, (int) (pad * d), (int) ((pad + 1) * d), 0f);
                assertArrayEquals(want, gotFirst.toFloatArray(), "Embedding: one draw, padding row zero");
                assertArrayEquals(second.toFloatArray(), gotSecond.toFloatArray(), "EmbeddingBag: the next draw");
            }
        }
    }
}
