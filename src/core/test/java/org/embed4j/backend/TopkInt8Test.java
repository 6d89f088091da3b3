package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * e4j_topk_i8 on every host backend against the Java reference on awkward sizes (D across the vector widths and
 * past the native dimension chunk, Q across the query group): the same rows in the same order with the same score
 * bits (integer dots of the int16-scaled query), ties to the lower row, zero rows and zero queries at -inf, k larger
 * than V padded with -1, and the same answer whatever the number of queries per call.
 */
class TopkInt8Test {
    private static final int[] DIMS = {1, 7, 8, 9, 17, 33, 100, 600};

    private static Tensor int8(byte[] values, long rows, long dim) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, values.length));
        MemorySegment.copy(values, 0, seg, ValueLayout.JAVA_BYTE, 0, values.length);
        return Tensor.wrap(seg.asSlice(0, values.length), DType.I8, Device.CPU, null, rows, dim);
    }

    private static long[][] run(Backend b, byte[] w, float[] scale, float[] q, int nq, int v, int d, int k) {
        try (Tensor tq = Tensor.of(q, nq, d);
                Tensor rs = Tensor.of(scale, v);
                Tensor oi = Tensor.allocate(DType.I64, nq, k);
                Tensor os = Tensor.allocate(DType.F32, nq, k)) {
            b.topkInt8(oi, os, int8(w, v, d), rs, tq);
            float[] s = os.toFloatArray();
            long[] bits = new long[s.length];
            for (int i = 0; i < s.length; i++) {
                bits[i] = Float.floatToIntBits(s[i]);
            }
            return new long[][] {oi.toLongArray(), bits};
        }
    }

    @Test
    void everyHostBackendMatchesTheReference() {
        Backend ref = BackendSource.reference();
        Random rnd = new Random(7);
        for (Backend b : Backends.available()) {
            if (!b.device().isHost()) {
                continue;
            }
            for (int d : DIMS) {
                for (int v : new int[] {1, 5, 257, 1021, 4099}) {
                    for (int nq : new int[] {1, 3, 4, 7, 8, 9}) {
                        byte[] w = new byte[v * d];
                        for (int i = 0; i < w.length; i++) {
                            w[i] = (byte) (rnd.nextInt(255) - 127);
                        }
                        float[] scale = new float[v];
                        for (int i = 0; i < v; i++) {
                            scale[i] = i % 13 == 5 ? 0f : 0.01f + rnd.nextFloat() * 0.01f;
                        }
                        float[] q = new float[nq * d];
                        for (int i = 0; i < q.length; i++) {
                            q[i] = (float) rnd.nextGaussian();
                        }
                        int k = Math.min(10, v + 2);
                        long[][] got = run(b, w, scale, q, nq, v, d, k);
                        long[][] want = run(ref, w, scale, q, nq, v, d, k);
                        String what = b.name() + " V=" + v + " D=" + d + " Q=" + nq;
                        assertArrayEquals(want[0], got[0], what + ": rows");
                        assertArrayEquals(want[1], got[1], what + ": score bits");
                        for (int j = 0; j < nq; j++) {
                            long[] one =
                                    run(b, w, scale, java.util.Arrays.copyOfRange(q, j * d, j * d + d), 1, v, d, k)[0];
                            assertArrayEquals(
                                    java.util.Arrays.copyOfRange(got[0], j * k, j * k + k),
                                    one,
                                    what + ": query " + j + " alone or in a batch");
                        }
                    }
                }
            }
        }
    }

    @Test
    void tiesZeroRowsZeroQueriesAndPadding() {
        for (Backend b : Backends.available()) {
            if (!b.device().isHost()) {
                continue;
            }
            int d = 9;
            int v = 4;
            byte[] w = new byte[v * d];
            for (int c = 0; c < d; c++) {
                w[c] = 10; // row 0
                w[d + c] = 10; // row 1: equal to row 0 -> tie, lower row first
                w[3 * d + c] = -10; // row 3: opposite
            }
            float[] scale = {0.1f, 0.1f, 0.1f, 0.1f}; // row 2 is all zeros but has a scale: score 0
            float[] q = new float[2 * d];
            java.util.Arrays.fill(q, 0, d, 1f); // query 1 stays zero
            long[][] out = run(b, w, scale, q, 2, v, d, 6);
            assertArrayEquals(new long[] {0, 1, 2, 3, -1, -1}, java.util.Arrays.copyOfRange(out[0], 0, 6), b.name());
            float top = Float.intBitsToFloat((int) out[1][0]);
            assertEquals(10f * 0.1f * d / 3f, top, 1e-4f, b.name() + ": dot * rscale / |q|");
            for (int i = 6; i < 12; i++) {
                float s = Float.intBitsToFloat((int) out[1][i]);
                assertTrue(s == Float.NEGATIVE_INFINITY, b.name() + ": a zero query scores -inf, got " + s);
            }
        }
    }

    @Test
    void checkedShapes() {
        Backend b = Backends.auto();
        Backend host = b.device().isHost() ? b : BackendSource.reference();
        try (Tensor q = Tensor.of(new float[6], 2, 3);
                Tensor rs = Tensor.of(new float[4], 4);
                Tensor oi = Tensor.allocate(DType.I64, 2, 2);
                Tensor os = Tensor.allocate(DType.F32, 2, 2)) {
            Tensor w = int8(new byte[8], 4, 2);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> host.topkInt8(oi, os, w, rs, q));
            assertTrue(e.getMessage().contains("dimension 3"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> host.topkInt8(oi, os, q, rs, q));
        }
    }
}
