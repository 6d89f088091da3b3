package org.embed4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.backend.BagMode;
import org.embed4j.optim.Adam;
import org.embed4j.optim.SparseAdam;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Same seed → same weights, bit for bit, on the default backend with one kernel thread: a small
 * EmbeddingBag → Linear → ReLU → Dropout → Linear model trained with Adam, plus a sparse Embedding trained with
 * SparseAdam on batches full of duplicate indices; and a different seed gives different weights.
 */
class DeterminismTest {

    @Test
    void sameSeedSameWeightsBitForBit() {
        int threads = Backends.numThreads();
        Backends.setNumThreads(1);
        try {
            Backend b = Backends.auto();
            Map<String, int[]> first = train(b, 7);
            Map<String, int[]> second = train(b, 7);
            Map<String, int[]> other = train(b, 8);
            assertEquals(first.keySet(), second.keySet());
            for (String k : first.keySet()) {
                int[] x = first.get(k);
                int[] y = second.get(k);
                for (int i = 0; i < x.length; i++) {
                    if (x[i] != y[i]) {
                        throw new AssertionError(k + "[" + i + "] differs between two runs with seed 7: "
                                + Float.intBitsToFloat(x[i]) + " vs " + Float.intBitsToFloat(y[i]));
                    }
                }
            }
            assertNotEquals(
                    first.get("sparse.weight")[0] + first.get("0.weight")[0],
                    other.get("sparse.weight")[0] + other.get("0.weight")[0],
                    "seed 8 differs from seed 7");
        } finally {
            Backends.setNumThreads(threads);
        }
    }

    private static Map<String, int[]> train(Backend b, long seed) {
        Init.manualSeed(seed);
        Map<String, int[]> out = new LinkedHashMap<>();
        try (EmbeddingBag bag =
                        new EmbeddingBag(40, 8, EmbeddingBag.Options.defaults().withMode(BagMode.MEAN), b);
                Sequential mlp = new Sequential(
                        new Linear(8, 16, true, b), new ReLU(b), new Dropout(0.3f), new Linear(16, 3, true, b));
                Embedding sparse =
                        new Embedding(30, 4, Embedding.Options.defaults().withSparse(true), b);
                CrossEntropyLoss loss = new CrossEntropyLoss(CrossEntropyLoss.Options.defaults(), b)) {
            List<Parameter> dense = new ArrayList<>(bag.parameters());
            dense.addAll(mlp.parameters());
            SplittableRandom r = new SplittableRandom(seed);
            try (Adam adam = new Adam(dense, 0.01f);
                    SparseAdam sadam = new SparseAdam(sparse.parameters(), 0.01f)) {
                for (int step = 0; step < 20; step++) {
                    long[] ids = new long[24];
                    long[] sids = new long[24];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = r.nextInt(40);
                        sids[i] = r.nextInt(6); // many duplicates
                    }
                    float[] g = new float[24 * 4];
                    for (int i = 0; i < g.length; i++) {
                        g[i] = (float) r.nextGaussian();
                    }
                    try (Tensor idx = Tensor.of(ids);
                            Tensor off = Tensor.of(new long[] {0, 5, 9, 15, 20});
                            Tensor y = Tensor.of(new long[] {0, 2, 1, 1, 0});
                            Tensor sidx = Tensor.of(sids);
                            Tensor sg = Tensor.of(g, 24, 4)) {
                        adam.zeroGrad();
                        sadam.zeroGrad();
                        loss.forward(mlp.forward(bag.forward(idx, off)), y);
                        bag.backward(mlp.backward(loss.backward()));
                        sparse.forward(sidx);
                        sparse.backward(sg);
                        adam.step();
                        sadam.step();
                    }
                }
            }
            put(out, b, bag.namedParameters(), "bag.");
            put(out, b, mlp.namedParameters(), "");
            put(out, b, sparse.namedParameters(), "sparse.");
        }
        return out;
    }

    private static void put(Map<String, int[]> out, Backend b, Map<String, Parameter> params, String prefix) {
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            float[] v = NnAssert.values(b, e.getValue().data());
            int[] bits = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                bits[i] = Float.floatToRawIntBits(v[i]);
            }
            out.put(prefix + e.getKey(), bits);
        }
    }
}
