package org.embed4j.vectors;

import java.util.Arrays;
import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * The int8 path of {@link ExactSearch}: one {@code topkInt8} call picks a pool of candidates for every query, each
 * pool is rescored by the float {@code topk} kernel over copies of its rows (ascending row order, so ties still go to
 * the lower row and scores are bit-identical to a float search), and each answer is certified against the int8 error
 * bound or searched again over the float rows. Stateless; thread-safe.
 */
final class Int8Scan {
    private Int8Scan() {}

    static Hits search(ExactSearch s, float[] queries, int count, int k, int[] exclude) {
        Int8Rows q8 = s.int8Rows();
        long rows = s.size();
        int dim = s.dim();
        int extra = exclude == null ? 0 : 1;
        int pool = (int) Math.min(rows, Math.max(2L * (k + extra), (long) k + extra + ExactSearch.POOL_EXTRA));
        Backend b = ExactSearch.hostBackend();
        long[] idx;
        float[] approx;
        try (Tensor hq = Tensor.of(queries, count, dim);
                Tensor outIdx = Tensor.allocate(DType.I64, count, pool);
                Tensor outScore = Tensor.allocate(DType.F32, count, pool)) {
            b.topkInt8(outIdx, outScore, q8.bytes(), q8.rscale(), hq);
            idx = outIdx.toLongArray();
            approx = outScore.toFloatArray();
        }
        Hits out = new Hits(k, new int[count * k], new float[count * k], new int[count]);
        int[] retry = new int[count];
        int retries = 0;
        float slack = 1.2e-7f * dim + 1e-6f;
        float[] query = new float[dim];
        int[] ids = new int[pool];
        for (int j = 0; j < count; j++) {
            int ex = exclude == null ? -1 : exclude[j];
            int n = 0;
            for (int i = 0; i < pool; i++) {
                long r = idx[j * pool + i];
                if (r >= 0 && r != ex && approx[j * pool + i] != Float.NEGATIVE_INFINITY) {
                    ids[n++] = (int) r;
                }
            }
            System.arraycopy(queries, j * dim, query, 0, dim);
            int found = rescore(s, b, query, ids, n, k, out, j);
            boolean complete = pool == rows; // every row was a candidate
            float lowest = approx[j * pool + pool - 1];
            if (!complete && !(found == k && out.scores()[j * k + k - 1] > lowest + bound(q8, query) + slack)) {
                retry[retries++] = j;
            }
        }
        if (retries > 0) {
            s.countFallbacks(retries);
            float[] again = new float[retries * dim];
            int[] againEx = exclude == null ? null : new int[retries];
            for (int i = 0; i < retries; i++) {
                System.arraycopy(queries, retry[i] * dim, again, i * dim, dim);
                if (againEx != null) {
                    againEx[i] = exclude[retry[i]];
                }
            }
            Hits f = s.floatSearch(again, retries, k, againEx);
            for (int i = 0; i < retries; i++) {
                int j = retry[i];
                System.arraycopy(f.rows(), i * k, out.rows(), j * k, k);
                System.arraycopy(f.scores(), i * k, out.scores(), j * k, k);
                out.found()[j] = f.found()[i];
            }
        }
        return out;
    }

    /**
     * The error bound of an approximate cosine for this query: the rows' int8 rounding, maxHalfScale · ||q||_1 /
     * ||q||, plus the query's int16 rounding in the scan, at most half its scale 2^-sh <= 2·max|q| / 2^B per value
     * (embed4j.h: |q·2^sh| < 2^B), times maxRowL1 / ||q||.
     */
    private static float bound(Int8Rows q8, float[] q) {
        double l1 = 0;
        double l2 = 0;
        float amax = 0f;
        for (float x : q) {
            l1 += Math.abs(x);
            l2 += (double) x * x;
            amax = Math.max(amax, Math.abs(x));
        }
        int bits = 31 - Integer.numberOfLeadingZeros((int) Math.min(32767, Integer.MAX_VALUE / (128L * q.length)));
        double norm = Math.sqrt(l2);
        double queryRounding = Math.scalb((double) amax, -bits) * q8.maxRowL1();
        return (float) ((q8.maxHalfScale() * l1 + queryRounding) / norm * (1 + 1e-6));
    }

    /** Float top-k of {@code query} among rows {@code ids[0..n)} into slot j of {@code out}; returns the count. */
    private static int rescore(ExactSearch s, Backend b, float[] query, int[] ids, int n, int k, Hits out, int j) {
        if (n == 0) {
            out.found()[j] = 0;
            return 0;
        }
        int[] sorted = Arrays.copyOf(ids, n);
        Arrays.sort(sorted);
        int kk = Math.min(k, n);
        Tensor[] rowsAndNorms = s.gather(sorted, n);
        try (Tensor w = rowsAndNorms[0];
                Tensor norms = rowsAndNorms[1];
                Tensor hq = Tensor.of(query, 1, query.length);
                Tensor outIdx = Tensor.allocate(DType.I64, 1, kk);
                Tensor outScore = Tensor.allocate(DType.F32, 1, kk)) {
            b.topk(outIdx, outScore, w, norms, hq, null);
            long[] idx = outIdx.toLongArray();
            float[] score = outScore.toFloatArray();
            int found = 0;
            for (int i = 0; i < kk; i++) {
                if (idx[i] >= 0 && score[i] != Float.NEGATIVE_INFINITY) {
                    out.rows()[j * k + found] = sorted[(int) idx[i]];
                    out.scores()[j * k + found++] = Search.clampCosine(score[i], sorted[(int) idx[i]]);
                }
            }
            out.found()[j] = found;
            return found;
        }
    }
}
