package org.embed4j.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;

/**
 * The plain-Java reference of every kernel: the executable specification of native/include/embed4j.h, against
 * which the C/AVX2 and CUDA kernels are tested, and the fallback when no native library loads.
 *
 * <p>Host tensors only. Straightforward loops in a fixed order, so every result is deterministic: the embedding
 * backward reduces each unique row's gradients in the order of {@link IndexSort} (stable by position), never
 * by scattering into a V×D buffer. Float sums are accumulated in float in that order (as a scalar C kernel
 * would); dot products, norms, GEMM and the loss are accumulated in double and rounded once.
 *
 * <p>Data-dependent checks (index range, offsets order, NaN/Inf in logits, target range) run before anything
 * is written. Shape, dtype and device checks are {@link CheckedBackend}'s job and are not repeated here.
 *
 * <p>Edge cases the native kernels must share: bag MAX keeps the first maximum on ties (argmax -1 for an empty
 * bag); topk ranks NaN scores as -inf, so a zero query (0/0) ranks every row at -inf, ties going to the lower row;
 * renorm scales by (float) (max_norm / (norm + 1e-7)) with the norm in double; cross-entropy's MEAN over no counted
 * target is NaN with a zero gradient.
 *
 * <p>The longer kernels live beside this class: {@link IndexSort} (the deterministic sort and index checks),
 * {@link EmbeddingBagReference}, {@link OptimizerRules}, {@link SoftmaxXentReference}, {@link TopKSelector}, and
 * {@link Word2VecReference} and {@link Word2VecHsReference}.
 *
 * <p>Stateless and thread-safe (callers must not write the same tensor from two threads; word2vec's Hogwild
 * workers do so on purpose). Not final: the native CPU backend extends it and reuses the host-memory ops.
 */
class JavaBackend implements Backend {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    public JavaBackend() {}

    @Override
    public String name() {
        return "java";
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Tensor zeros(DType dtype, long... shape) {
        return Tensor.allocate(dtype, shape);
    }

    @Override
    public Tensor fromHost(Tensor host) {
        return hostCopy(host);
    }

    @Override
    public Tensor toHost(Tensor tensor) {
        return hostCopy(tensor);
    }

    private static Tensor hostCopy(Tensor src) {
        Tensor copy = Tensor.allocate(src.dtype(), src.shape());
        MemorySegment.copy(src.segment(), 0, copy.segment(), 0, src.byteSize());
        return copy;
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        MemorySegment.copy(src.segment(), 0, dst.segment(), 0, src.byteSize());
    }

    @Override
    public void fill(Tensor tensor, float value) {
        MemorySegment x = tensor.segment();
        for (long i = 0, n = tensor.numel(); i < n; i++) {
            x.setAtIndex(F, i, value);
        }
    }

    @Override
    public void axpy(Tensor y, float alpha, Tensor x) {
        MemorySegment ys = y.segment();
        MemorySegment xs = x.segment();
        for (long i = 0, n = y.numel(); i < n; i++) {
            ys.setAtIndex(F, i, ys.getAtIndex(F, i) + alpha * xs.getAtIndex(F, i));
        }
    }

    @Override
    public void scale(Tensor x, float alpha) {
        MemorySegment xs = x.segment();
        for (long i = 0, n = x.numel(); i < n; i++) {
            xs.setAtIndex(F, i, xs.getAtIndex(F, i) * alpha);
        }
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        MemorySegment o = out.segment();
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        for (long i = 0, n = out.numel(); i < n; i++) {
            o.setAtIndex(F, i, as.getAtIndex(F, i) * bs.getAtIndex(F, i));
        }
    }

    // ------------------------------------------------------------------ embedding

    @Override
    public void gather(Tensor out, Tensor weight, Tensor indices) {
        long[] idx = indices.toLongArray();
        IndexSort.checkRange(idx, weight.size(0));
        long rowBytes = weight.size(1) * Float.BYTES;
        MemorySegment w = weight.segment();
        MemorySegment o = out.segment();
        for (int n = 0; n < idx.length; n++) {
            MemorySegment.copy(w, idx[n] * rowBytes, o, n * rowBytes, rowBytes);
        }
    }

    @Override
    public void embeddingBagForward(
            Tensor out,
            Tensor argmax,
            Tensor weight,
            Tensor indices,
            Tensor offsets,
            Tensor perSampleWeights,
            BagMode mode,
            long paddingIdx) {
        EmbeddingBagReference.forward(out, argmax, weight, indices, offsets, perSampleWeights, mode, paddingIdx);
    }

    @Override
    public SortedIndices sortIndices(Tensor indices, long numEmbeddings, long paddingIdx) {
        return IndexSort.sort(indices, numEmbeddings, paddingIdx);
    }

    @Override
    public void embeddingBackward(Tensor dWeight, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        IndexSort.Host h = IndexSort.Host.of(sorted, dWeight.size(0));
        accumulateRows(dWeight, dOut, h, scaleGradByFreq, false);
    }

    @Override
    public void embeddingBackwardRows(Tensor dRows, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        IndexSort.Host h = IndexSort.Host.of(sorted, Long.MAX_VALUE);
        accumulateRows(dRows, dOut, h, scaleGradByFreq, true);
    }

    private static void accumulateRows(
            Tensor dst, Tensor dOut, IndexSort.Host h, boolean scaleGradByFreq, boolean compact) {
        int d = Math.toIntExact(dst.size(1));
        MemorySegment dsts = dst.segment();
        MemorySegment douts = dOut.segment();
        float[] g = new float[d];
        float[] cur = new float[d];
        for (int u = 0; u < h.numUnique(); u++) {
            rowGradient(h, u, douts, scaleGradByFreq, g);
            Rows.add(dsts, compact ? u : h.uniq()[u], g, cur);
        }
    }

    /** g = Σ_{k in segment u} dOut[perm[k],:] in segment order, then divided by the count when asked. */
    private static void rowGradient(IndexSort.Host h, int u, MemorySegment dOut, boolean scaleGradByFreq, float[] g) {
        int d = g.length;
        Arrays.fill(g, 0f);
        for (int k = h.start(u); k < h.end(u); k++) {
            long base = h.perm()[k] * d;
            for (int c = 0; c < d; c++) {
                g[c] += dOut.getAtIndex(F, base + c);
            }
        }
        if (scaleGradByFreq) {
            int count = h.end(u) - h.start(u);
            for (int c = 0; c < d; c++) {
                g[c] = g[c] / count;
            }
        }
    }

    @Override
    public void embeddingBagBackward(
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
        EmbeddingBagReference.backward(
                dWeight,
                dPerSampleWeights,
                dOut,
                weight,
                indices,
                offsets,
                perSampleWeights,
                argmax,
                sorted,
                mode,
                compact);
    }

    @Override
    public void embeddingBackwardUpdate(
            Tensor weight,
            Tensor state1,
            Tensor state2,
            Tensor dOut,
            SortedIndices sorted,
            boolean scaleGradByFreq,
            OptimStep step) {
        OptimStepChecks.sparseKind(step);
        IndexSort.Host h = IndexSort.Host.of(sorted, weight.size(0));
        OptimizerRules rules = new OptimizerRules(step, weight.segment(), segmentOrNull(state1), segmentOrNull(state2));
        MemorySegment douts = dOut.segment();
        float[] g = new float[Math.toIntExact(weight.size(1))];
        for (int u = 0; u < h.numUnique(); u++) {
            rowGradient(h, u, douts, scaleGradByFreq, g);
            rules.updateRow(h.uniq()[u], g);
        }
    }

    @Override
    public void sparseRowsUpdate(
            Tensor weight, Tensor state1, Tensor state2, Tensor gradRows, SortedIndices sorted, OptimStep step) {
        OptimStepChecks.sparseKind(step);
        IndexSort.Host h = IndexSort.Host.of(sorted, weight.size(0));
        OptimizerRules rules = new OptimizerRules(step, weight.segment(), segmentOrNull(state1), segmentOrNull(state2));
        MemorySegment grads = gradRows.segment();
        float[] g = new float[Math.toIntExact(weight.size(1))];
        for (int u = 0; u < h.numUnique(); u++) {
            Rows.read(grads, u, g);
            rules.updateRow(h.uniq()[u], g);
        }
    }

    @Override
    public void denseUpdate(Tensor param, Tensor state1, Tensor state2, Tensor grad, OptimStep step) {
        OptimStepChecks.denseKind(step);
        OptimizerRules rules = new OptimizerRules(step, param.segment(), segmentOrNull(state1), segmentOrNull(state2));
        MemorySegment g = grad.segment();
        for (long i = 0, n = param.numel(); i < n; i++) {
            rules.updateElement(i, g.getAtIndex(F, i));
        }
    }

    @Override
    public void embeddingRenorm(Tensor weight, SortedIndices sorted, float maxNorm, float normType) {
        IndexSort.Host h = IndexSort.Host.of(sorted, weight.size(0));
        MemorySegment w = weight.segment();
        float[] row = new float[Math.toIntExact(weight.size(1))];
        for (int u = 0; u < h.numUnique(); u++) {
            long r = h.uniq()[u];
            Rows.read(w, r, row);
            double norm = pNorm(row, normType);
            if (norm > maxNorm) {
                float scale = (float) (maxNorm / (norm + 1e-7));
                for (int c = 0; c < row.length; c++) {
                    row[c] = row[c] * scale;
                }
                Rows.write(w, r, row);
            }
        }
    }

    /** ||x||_p as torch.norm: p = inf is the max |x|, p = 2 and 1 the usual norms, else (Σ|x|^p)^(1/p). */
    static double pNorm(float[] x, float p) {
        double acc = 0;
        if (p == Float.POSITIVE_INFINITY) {
            for (float v : x) {
                acc = Math.max(acc, Math.abs(v));
            }
            return acc;
        }
        for (float v : x) {
            acc += p == 2f ? (double) v * v : p == 1f ? Math.abs(v) : Math.pow(Math.abs(v), p);
        }
        return p == 2f ? Math.sqrt(acc) : p == 1f ? acc : Math.pow(acc, 1.0 / p);
    }

    // ------------------------------------------------------------------ dense layers

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        int m = Math.toIntExact(c.size(0));
        int n = Math.toIntExact(c.size(1));
        int kk = Math.toIntExact(transA ? a.size(0) : a.size(1));
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment cs = c.segment();
        // op(B) transposed once, so each C element is a dot product of two contiguous arrays.
        float[] bt = new float[Math.multiplyExact(n, kk)];
        for (int p = 0; p < kk; p++) {
            for (int j = 0; j < n; j++) {
                bt[j * kk + p] = transB ? bs.getAtIndex(F, (long) j * kk + p) : bs.getAtIndex(F, (long) p * n + j);
            }
        }
        float[] arow = new float[kk];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < kk; p++) {
                arow[p] = transA ? as.getAtIndex(F, (long) p * m + i) : as.getAtIndex(F, (long) i * kk + p);
            }
            for (int j = 0; j < n; j++) {
                double dot = 0;
                int base = j * kk;
                for (int p = 0; p < kk; p++) {
                    dot += (double) arow[p] * bt[base + p];
                }
                long ci = (long) i * n + j;
                double prior = beta == 0f ? 0.0 : (double) beta * cs.getAtIndex(F, ci); // beta == 0: C not read
                cs.setAtIndex(F, ci, (float) (alpha * dot + prior));
            }
        }
    }

    @Override
    public void biasAdd(Tensor x, Tensor bias) {
        long k = bias.numel();
        MemorySegment xs = x.segment();
        MemorySegment bs = bias.segment();
        for (long i = 0, n = x.numel(); i < n; i++) {
            xs.setAtIndex(F, i, xs.getAtIndex(F, i) + bs.getAtIndex(F, i % k));
        }
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        int k = Math.toIntExact(dBias.numel());
        long rows = k == 0 ? 0 : dOut.numel() / k;
        MemorySegment d = dOut.segment();
        MemorySegment db = dBias.segment();
        for (int c = 0; c < k; c++) {
            double sum = 0;
            for (long r = 0; r < rows; r++) {
                sum += d.getAtIndex(F, r * k + c);
            }
            db.setAtIndex(F, c, (float) (db.getAtIndex(F, c) + sum));
        }
    }

    @Override
    public void reluForward(Tensor out, Tensor in) {
        MemorySegment o = out.segment();
        MemorySegment x = in.segment();
        for (long i = 0, n = in.numel(); i < n; i++) {
            float v = x.getAtIndex(F, i);
            o.setAtIndex(F, i, v > 0f || Float.isNaN(v) ? v : 0f); // NaN propagates, as torch.relu
        }
    }

    @Override
    public void reluBackward(Tensor dIn, Tensor dOut, Tensor out) {
        MemorySegment di = dIn.segment();
        MemorySegment d = dOut.segment();
        MemorySegment o = out.segment();
        for (long i = 0, n = out.numel(); i < n; i++) {
            di.setAtIndex(F, i, o.getAtIndex(F, i) > 0f ? d.getAtIndex(F, i) : 0f);
        }
    }

    @Override
    public void softmaxXent(
            Tensor loss,
            Tensor dLogits,
            Tensor logits,
            Tensor targets,
            Tensor weight,
            long ignoreIndex,
            float labelSmoothing,
            Reduction reduction) {
        SoftmaxXentReference.compute(loss, dLogits, logits, targets, weight, ignoreIndex, labelSmoothing, reduction);
    }

    // ------------------------------------------------------------------ search and word2vec

    @Override
    public void rowNorms(Tensor norms, Tensor weight) {
        MemorySegment w = weight.segment();
        MemorySegment out = norms.segment();
        float[] row = new float[Math.toIntExact(weight.size(1))];
        for (long v = 0, rows = weight.size(0); v < rows; v++) {
            Rows.read(w, v, row);
            out.setAtIndex(F, v, (float) pNorm(row, 2f));
        }
    }

    /**
     * score = dot(q, W[v]) / (||q||·norms[v]) with norms, else dot(q, W[v]); rows with norm 0 score -inf, and so
     * does every row for a zero query (0/0 is NaN, which ranks as -inf). Best first, ties to the lower row.
     */
    @Override
    public void topk(Tensor outIdx, Tensor outScore, Tensor weight, Tensor norms, Tensor queries, Tensor exclude) {
        int q = Math.toIntExact(queries.size(0));
        int d = Math.toIntExact(weight.size(1));
        long v = weight.size(0);
        int k = Math.toIntExact(outIdx.size(1));
        long[] ex = exclude == null ? new long[0] : exclude.toLongArray();
        int e = exclude == null ? 0 : Math.toIntExact(exclude.size(1));
        for (int i = 0; i < ex.length; i++) {
            if (ex[i] != -1 && (ex[i] < 0 || ex[i] >= v)) {
                throw new IndexOutOfBoundsException("exclude value " + ex[i] + " at position " + i
                        + " is out of range (expected -1 or 0 <= row < " + v + ")");
            }
        }
        MemorySegment w = weight.segment();
        MemorySegment ns = norms == null ? null : norms.segment();
        float[] query = new float[d];
        long[] rows = new long[k];
        float[] scores = new float[k];
        for (int qi = 0; qi < q; qi++) {
            Rows.read(queries.segment(), qi, query);
            double qNorm = pNorm(query, 2f);
            long[] skip = Arrays.copyOfRange(ex, qi * e, qi * e + e);
            Arrays.sort(skip);
            TopKSelector best = new TopKSelector(k);
            for (long r = 0; r < v; r++) {
                if (Arrays.binarySearch(skip, r) >= 0) {
                    continue;
                }
                double dot = 0;
                long base = r * d;
                for (int c = 0; c < d; c++) {
                    dot += (double) query[c] * w.getAtIndex(F, base + c);
                }
                float score;
                if (ns == null) {
                    score = (float) dot;
                } else {
                    float rowNorm = ns.getAtIndex(F, r);
                    score = rowNorm == 0f ? Float.NEGATIVE_INFINITY : (float) (dot / (qNorm * rowNorm));
                }
                best.offer(r, score);
            }
            best.drainInto(rows, scores);
            MemorySegment.copy(rows, 0, outIdx.segment(), L, (long) qi * k * Long.BYTES, k);
            MemorySegment.copy(scores, 0, outScore.segment(), F, (long) qi * k * Float.BYTES, k);
        }
    }

    /**
     * score = dot(q, W8[v]) · rowScale[v] / ||q|| in double (the kernels sum in float, so they agree to rounding);
     * scale 0 or a zero query: -inf. Best first, ties to the lower row.
     */
    @Override
    public void topkInt8(Tensor outIdx, Tensor outScore, Tensor weight, Tensor rowScale, Tensor queries) {
        int q = Math.toIntExact(queries.size(0));
        int d = Math.toIntExact(weight.size(1));
        if (d > Integer.MAX_VALUE / 128) {
            throw new IllegalArgumentException(
                    "topkInt8: D=" + d + " is above " + Integer.MAX_VALUE / 128 + ", the int32 dot limit");
        }
        long v = weight.size(0);
        int k = Math.toIntExact(outIdx.size(1));
        MemorySegment w = weight.segment();
        MemorySegment scale = rowScale.segment();
        float[] query = new float[d];
        long[] q16 = new long[d];
        long[] rows = new long[k];
        float[] scores = new float[k];
        int bits =
                31 - Integer.numberOfLeadingZeros((int) Math.min(32767, Integer.MAX_VALUE / (128L * Math.max(d, 1))));
        for (int qi = 0; qi < q; qi++) {
            Rows.read(queries.segment(), qi, query);
            float amax = 0f;
            double ss = 0;
            for (float x : query) {
                amax = Math.max(amax, Math.abs(x));
                ss += (double) x * x;
            }
            float qn = (float) Math.sqrt(ss);
            boolean valid = qn > 0f && qn < Float.POSITIVE_INFINITY;
            int e = valid ? frexpExponent(amax) : 0;
            float f = (float) Math.scalb(1.0 / qn, e - bits);
            double p = Math.scalb(1.0, bits - e);
            for (int c = 0; c < d; c++) {
                q16[c] = valid ? (long) Math.rint(query[c] * p) : 0;
            }
            TopKSelector best = new TopKSelector(k);
            for (long r = 0; r < v; r++) {
                long dot = 0;
                long base = r * d;
                for (int c = 0; c < d; c++) {
                    dot += q16[c] * w.get(ValueLayout.JAVA_BYTE, base + c);
                }
                float rs = scale.getAtIndex(F, r);
                float s = (float) dot * rs * f;
                best.offer(r, !valid || rs == 0f || Float.isNaN(s) ? Float.NEGATIVE_INFINITY : s);
            }
            best.drainInto(rows, scores);
            MemorySegment.copy(rows, 0, outIdx.segment(), L, (long) qi * k * Long.BYTES, k);
            MemorySegment.copy(scores, 0, outScore.segment(), F, (long) qi * k * Float.BYTES, k);
        }
    }

    /** C's frexpf exponent: {@code a = m·2^e} with m in [0.5, 1), for a finite a > 0 (subnormals too). */
    private static int frexpExponent(float a) {
        return a < Float.MIN_NORMAL ? Math.getExponent(a * 0x1p24f) - 23 : Math.getExponent(a) + 1;
    }

    @Override
    public Word2VecStats word2vecTrainChunk(Word2VecChunk chunk) {
        return Word2VecReference.trainChunk(chunk);
    }

    @Override
    public Word2VecStats word2vecHsTrainChunk(Word2VecHsChunk chunk) {
        return Word2VecHsReference.trainChunk(chunk);
    }

    // ------------------------------------------------------------------ helpers

    private static MemorySegment segmentOrNull(Tensor t) {
        return t == null ? null : t.segment();
    }
}
