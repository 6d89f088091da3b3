package org.embed4j.deploy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * Cosine top-k over quantized rows through the backend's {@code topk} kernel: the rows are dequantized one block
 * of {@value #BLOCK} at a time into a float scratch tensor that stays in cache ({@code x̃ = s·q} for int8,
 * {@code half→float} for fp16), the kernel ranks the block for every query at once with the stored norms of the
 * dequantized rows, and each block's ranked winners are merged into the running ranked list of each query (a
 * merge of two sorted lists; on equal scores the earlier block wins, so ties go to the lower row, as the kernel
 * orders them). The result equals a brute-force search over the dequantized matrix up to float rounding; the
 * full float matrix never exists, so memory stays at the quantized size plus one block.
 *
 * <p>Runs on a host backend ({@link Backends#auto()} when it is a host one, else the best host backend
 * available). Stateless apart from that choice; each call uses its own tensors, so it is thread-safe.
 */
final class QuantizedSearch {
    static final int BLOCK = 1024;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private QuantizedSearch() {}

    /** A host backend: the process's choice when it runs on the host, else the last host one available (cpu, java). */
    private static Backend backend() {
        Backend b = Backends.auto();
        if (b.device().isHost()) {
            return b;
        }
        Backend host = null;
        for (Backend x : Backends.available()) {
            if (x.device().isHost()) {
                host = x;
            }
        }
        if (host == null) {
            throw new IllegalStateException("no host backend is available for quantized search");
        }
        return host;
    }

    /**
     * The best {@code k} rows per query, best first: query j's are {@code rows[j*k .. j*k+found[j])} with their
     * cosines in {@code scores}; fewer than k are found only when rows have norm 0 or are excluded.
     */
    record Ranked(int k, int[] rows, float[] scores, int[] found) {}

    /**
     * For each of {@code count} queries (count×D floats) the best {@code k} rows (k ≥ 1, ≤ V) of {@code q};
     * {@code exclude[j]} (or null) is a row query j must not return.
     */
    static Ranked topk(QuantizedVectors q, float[] queries, int count, int[] exclude, int k) {
        Ranked best = new Ranked(k, new int[count * k], new float[count * k], new int[count]);
        int[] mergedRows = new int[k];
        float[] mergedScores = new float[k];
        int v = q.size();
        int dim = q.dim();
        Backend b = backend();
        int block = Math.min(BLOCK, v);
        try (Tensor rows = Tensor.allocate(DType.F32, block, dim);
                Tensor norms = Tensor.allocate(DType.F32, block);
                Tensor hq = Tensor.of(queries, count, dim);
                Tensor ex = exclude == null ? null : Tensor.allocate(DType.I64, count, 1)) {
            float[] floats = new float[block * dim];
            byte[] bytes = q.precision() == Precision.INT8 ? new byte[block * dim] : null;
            short[] halves = q.precision() == Precision.FP16 ? new short[block * dim] : null;
            for (int start = 0; start < v; start += block) {
                int n = Math.min(block, v - start);
                dequantize(q, start, n, floats, bytes, halves);
                MemorySegment.copy(floats, 0, rows.segment(), F32, 0, n * dim);
                MemorySegment.copy(
                        q.norms(), QuantizedVectors.LE_F32, (long) start * Float.BYTES, norms.segment(), F32, 0, n);
                if (ex != null) {
                    for (int j = 0; j < count; j++) {
                        int e = exclude[j];
                        ex.setIndex(j, e >= start && e < start + n ? e - start : -1);
                    }
                }
                int kk = Math.min(k, n);
                try (Tensor outIdx = Tensor.allocate(DType.I64, count, kk);
                        Tensor outScore = Tensor.allocate(DType.F32, count, kk)) {
                    b.topk(outIdx, outScore, rows.rows(0, n), norms.rows(0, n), hq, ex);
                    long[] idx = outIdx.toLongArray();
                    float[] score = outScore.toFloatArray();
                    for (int j = 0; j < count; j++) {
                        merge(best, j, start, idx, score, j * kk, kk, mergedRows, mergedScores);
                    }
                }
            }
        }
        return best;
    }

    /**
     * Merges one block's ranked list for query j ({@code idx/score[from .. from+n)}, block-relative rows, -1 or
     * -inf past the rows found) into {@code best}, keeping the k best. {@code rows}/{@code scores}: k scratch slots.
     */
    private static void merge(
            Ranked best, int j, int start, long[] idx, float[] score, int from, int n, int[] rows, float[] scores) {
        int k = best.k();
        int base = j * k;
        int have = best.found()[j];
        int a = 0;
        int b = 0;
        int out = 0;
        while (out < k) {
            boolean moreB = b < n && idx[from + b] >= 0 && score[from + b] != Float.NEGATIVE_INFINITY;
            if (a < have && (!moreB || best.scores()[base + a] >= score[from + b])) {
                rows[out] = best.rows()[base + a];
                scores[out++] = best.scores()[base + a++];
            } else if (moreB) {
                rows[out] = start + (int) idx[from + b];
                scores[out++] = score[from + b++];
            } else {
                break;
            }
        }
        System.arraycopy(rows, 0, best.rows(), base, out);
        System.arraycopy(scores, 0, best.scores(), base, out);
        best.found()[j] = out;
    }

    /** Rows [start, start+n) dequantized into {@code out}, from one bulk copy of their stored bytes. */
    private static void dequantize(QuantizedVectors q, int start, int n, float[] out, byte[] bytes, short[] halves) {
        int dim = q.dim();
        int len = n * dim;
        if (bytes != null) {
            MemorySegment.copy(q.data(), ValueLayout.JAVA_BYTE, (long) start * dim, bytes, 0, len);
            // two simple loops instead of one fused s * byte loop: HotSpot vectorises these (measured ~3x faster)
            for (int i = 0; i < len; i++) {
                out[i] = bytes[i];
            }
            for (int r = 0; r < n; r++) {
                float s = q.scales().getAtIndex(QuantizedVectors.LE_F32, start + r);
                int base = r * dim;
                for (int d = 0; d < dim; d++) {
                    out[base + d] *= s;
                }
            }
        } else {
            MemorySegment.copy(q.data(), QuantizedVectors.LE_I16, (long) start * dim * Short.BYTES, halves, 0, len);
            for (int i = 0; i < len; i++) {
                out[i] = Float.float16ToFloat(halves[i]);
            }
        }
    }
}
