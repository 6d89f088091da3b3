package org.embed4j.vectors;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
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
        // All native buffers of the call come from one confined arena: closing it is cheap, while every Tensor of its
        // own would be a shared arena whose close makes the JVM handshake with all of its threads.
        try (Arena arena = Arena.ofConfined()) {
            return search(s, queries, count, k, exclude, arena);
        }
    }

    private static Hits search(ExactSearch s, float[] queries, int count, int k, int[] exclude, Arena arena) {
        Int8Rows q8 = s.int8Rows();
        long rows = s.size();
        int dim = s.dim();
        int extra = exclude == null ? 0 : 1;
        int pool = (int) Math.min(rows, Math.max(2L * (k + extra), (long) k + extra + ExactSearch.POOL_EXTRA));
        Backend b = ExactSearch.hostBackend();
        Tensor hq = Tensor.allocate(arena, DType.F32, count, dim);
        MemorySegment.copy(queries, 0, hq.segment(), ValueLayout.JAVA_FLOAT, 0, queries.length);
        Tensor candIdx = Tensor.allocate(arena, DType.I64, count, pool);
        Tensor candScore = Tensor.allocate(arena, DType.F32, count, pool);
        b.topkInt8(candIdx, candScore, q8.bytes(), q8.rscale(), hq);
        long[] idx = candIdx.toLongArray();
        float[] approx = candScore.toFloatArray();
        Scratch scratch = new Scratch(
                hq,
                Tensor.allocate(arena, DType.F32, pool, dim),
                Tensor.allocate(arena, DType.F32, pool),
                Tensor.allocate(arena, DType.I64, 1, k),
                Tensor.allocate(arena, DType.F32, 1, k));
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
            int found = rescore(s, b, scratch, ids, n, k, out, j);
            boolean complete = pool == rows; // every row was a candidate
            float lowest = approx[j * pool + pool - 1];
            if (!complete && !(found == k && out.scores()[j * k + k - 1] > lowest + bound(q8, query) + slack)) {
                retry[retries++] = j;
            }
        }
        if (retries > 0) {
            searchAgain(s, queries, exclude, retry, retries, k, out);
        }
        return out;
    }

    /** The float search for the queries {@code retry[0..retries)} that the int8 answer could not certify. */
    private static void searchAgain(
            ExactSearch s, float[] queries, int[] exclude, int[] retry, int retries, int k, Hits out) {
        int dim = s.dim();
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

    /** Native buffers for rescoring, reused by every query of a call: its queries, pool rows, norms and answers. */
    private record Scratch(Tensor queries, Tensor rows, Tensor norms, Tensor idx, Tensor score) {}

    /** A (shape) view of the first bytes of {@code t}'s memory; owns nothing. */
    private static Tensor view(Tensor t, long offsetBytes, DType dtype, long... shape) {
        long bytes = dtype.byteSize();
        for (long x : shape) {
            bytes *= x;
        }
        return Tensor.wrap(t.segment().asSlice(offsetBytes, bytes), dtype, Device.CPU, null, shape);
    }

    /** Float top-k of query j among rows {@code ids[0..n)} into slot j of {@code out}; returns the count. */
    private static int rescore(ExactSearch s, Backend b, Scratch sc, int[] ids, int n, int k, Hits out, int j) {
        if (n == 0) {
            out.found()[j] = 0;
            return 0;
        }
        int dim = s.dim();
        int[] sorted = Arrays.copyOf(ids, n);
        Arrays.sort(sorted);
        int kk = Math.min(k, n);
        s.gatherInto(sorted, n, sc.rows().segment(), sc.norms().segment());
        Tensor outIdx = view(sc.idx(), 0, DType.I64, 1, kk);
        Tensor outScore = view(sc.score(), 0, DType.F32, 1, kk);
        b.topk(
                outIdx,
                outScore,
                view(sc.rows(), 0, DType.F32, n, dim),
                view(sc.norms(), 0, DType.F32, n),
                view(sc.queries(), (long) j * dim * Float.BYTES, DType.F32, 1, dim),
                null);
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
