package org.embed4j.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.embed4j.tensor.Tensor;

/**
 * The Java reference of EmbeddingBag (C: e4j_embedding_bag_forward / e4j_embedding_bag_backward).
 *
 * <pre>
 * bag b = positions j in [offsets[b], offsets[b+1]) whose idx[j] != padding_idx; count_b = their number
 * SUM   out[b] = Σ_j W[idx[j]]·psw[j]        g_j = dout[b]·psw[j]        dpsw[j] = dout[b]·W[idx[j]]
 * MEAN  out[b] = Σ_j W[idx[j]] / count_b      g_j = dout[b] / count_b
 * MAX   out[b,d] = max_j W[idx[j],d], argmax[b,d] = the first j that attains it;  g_j[d] = dout[b,d] if argmax[b,d] == j
 * empty bag: zeros (argmax -1)
 * </pre>
 * The backward reduces each unique row's g_j in the order of the deterministic sort; the sort's dropped padding
 * tells it which positions the forward counted. Index range and offsets are checked before anything is written.
 * Float sums in position order (as a scalar C kernel), dpsw dot products in double. Stateless; thread-safe.
 */
final class EmbeddingBagReference {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    private EmbeddingBagReference() {}

    /** See {@link Backend#embeddingBagForward}. */
    static void forward(
            Tensor out,
            Tensor argmax,
            Tensor weight,
            Tensor indices,
            Tensor offsets,
            Tensor perSampleWeights,
            BagMode mode,
            long paddingIdx) {
        long[] idx = indices.toLongArray();
        long[] off = offsets.toLongArray();
        IndexSort.checkRange(idx, weight.size(0));
        IndexSort.checkOffsets(off, idx.length);
        int d = Math.toIntExact(weight.size(1));
        MemorySegment w = weight.segment();
        MemorySegment o = out.segment();
        MemorySegment am = mode == BagMode.MAX ? argmax.segment() : null;
        float[] acc = new float[d];
        long[] win = new long[d];
        float[] row = new float[d];
        for (int b = 0; b + 1 < off.length; b++) {
            Arrays.fill(acc, 0f);
            Arrays.fill(win, -1L);
            int count = 0;
            for (long j = off[b]; j < off[b + 1]; j++) {
                long r = idx[(int) j];
                if (r == paddingIdx) {
                    continue;
                }
                Rows.read(w, r, row);
                switch (mode) {
                    case SUM -> {
                        float s = perSampleWeights == null ? 1f : perSampleWeights.getFloat(j);
                        for (int k = 0; k < d; k++) {
                            acc[k] += row[k] * s;
                        }
                    }
                    case MEAN -> {
                        for (int k = 0; k < d; k++) {
                            acc[k] += row[k];
                        }
                    }
                    case MAX -> {
                        // The first maximum wins ties: later entries replace it only when strictly greater.
                        for (int k = 0; k < d; k++) {
                            if (count == 0 || row[k] > acc[k]) {
                                acc[k] = row[k];
                                win[k] = j;
                            }
                        }
                    }
                }
                count++;
            }
            if (mode == BagMode.MEAN && count > 0) {
                for (int k = 0; k < d; k++) {
                    acc[k] = acc[k] / count;
                }
            }
            Rows.write(o, b, acc);
            if (am != null) {
                MemorySegment.copy(win, 0, am, L, (long) b * d * Long.BYTES, d);
            }
        }
    }

    /** See {@link Backend#embeddingBagBackward}; dPerSampleWeights is written, dWeight accumulated into. */
    static void backward(
            Tensor dWeight,
            Tensor dPerSampleWeights,
            Tensor dOut,
            Tensor weight,
            Tensor indices,
            Tensor offsets,
            Tensor perSampleWeights,
            Tensor argmax,
            SortedIndices sorted,
            BagMode mode,
            boolean compact) {
        long[] idx = indices.toLongArray();
        long[] off = offsets.toLongArray();
        IndexSort.checkRange(idx, weight.size(0));
        IndexSort.checkOffsets(off, idx.length);
        IndexSort.Host h = IndexSort.Host.of(sorted, weight.size(0));
        int n = idx.length;
        int d = Math.toIntExact(weight.size(1));
        int[] bagOf = IndexSort.bagOfPosition(off, n);
        if (h.numIndices() != n) {
            throw new IllegalArgumentException("the sort covers " + h.numIndices() + " indices, but there are " + n);
        }
        // The sort dropped the padding entries: what it kept is what the forward counted.
        boolean[] live = new boolean[n];
        int[] count = new int[off.length - 1];
        int kept = (int) h.seg()[h.numUnique()];
        for (int k = 0; k < kept; k++) {
            int j = (int) h.perm()[k];
            live[j] = true;
            count[bagOf[j]]++;
        }
        MemorySegment douts = dOut.segment();
        float[] psw = perSampleWeights == null ? null : perSampleWeights.toFloatArray();
        long[] am = mode == BagMode.MAX ? argmax.toLongArray() : null;

        if (dPerSampleWeights != null) {
            writePerSampleWeightGrad(dPerSampleWeights, douts, weight.segment(), idx, bagOf, live, d);
        }
        MemorySegment dst = dWeight.segment();
        float[] g = new float[d];
        float[] cur = new float[d];
        for (int u = 0; u < h.numUnique(); u++) {
            Arrays.fill(g, 0f);
            for (int k = h.start(u); k < h.end(u); k++) {
                int j = (int) h.perm()[k];
                int b = bagOf[j];
                long base = (long) b * d;
                for (int c = 0; c < d; c++) {
                    float dout = douts.getAtIndex(F, base + c);
                    g[c] += switch (mode) {
                        case SUM -> psw == null ? dout : dout * psw[j];
                        case MEAN -> dout / count[b];
                        case MAX -> am[(int) (base + c)] == j ? dout : 0f;
                    };
                }
            }
            Rows.add(dst, compact ? u : h.uniq()[u], g, cur);
        }
    }

    /** dpsw[j] = dot(dOut[bag of j,:], W[idx[j],:]), 0 for padding; written, not accumulated. */
    private static void writePerSampleWeightGrad(
            Tensor dPsw, MemorySegment dOut, MemorySegment w, long[] idx, int[] bagOf, boolean[] live, int d) {
        MemorySegment out = dPsw.segment();
        for (int j = 0; j < idx.length; j++) {
            double dot = 0;
            if (live[j]) {
                long wBase = idx[j] * d;
                long oBase = (long) bagOf[j] * d;
                for (int c = 0; c < d; c++) {
                    dot += (double) dOut.getAtIndex(F, oBase + c) * w.getAtIndex(F, wBase + c);
                }
            }
            out.setAtIndex(F, j, (float) dot);
        }
    }
}
