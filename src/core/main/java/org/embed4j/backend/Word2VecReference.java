package org.embed4j.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * The plain-Java reference of the word2vec kernel (C: e4j_w2v_train_chunk, semantics written down in
 * native/src/w2v.h): for each token position, word2vec's LCG draws the dynamic window b = rng % window
 * and then the K negatives (neg_table[(rng >> 16) % S], drawn for every position, a negative equal to
 * the center is masked, not redrawn); lr decays linearly across the chunk.
 * <ul>
 *   <li>Skip-gram, batched like Ji et al.: the window's C contexts against the center and the shared
 *       negatives, G = In·Out^T; dIn = G·Out and Out += G^T·In, both from the weights before the window's
 *       update; every input row of a context (its own, or each of its subword rows, fastText style) += dIn.</li>
 *   <li>CBOW, word2vec's order: h = mean of the contexts' input vectors; per output in order: g, neu1e += g·out
 *       (old row), out += g·h; every input row of every context += neu1e.</li>
 * </ul>
 * g = (label - sigmoid(clamp(x, -16, 16))) * lr; the loss adds softplus(∓x). It must match the scalar C
 * kernel (w2v_ref.c) to float rounding: same RNG stream, same pairs, same order of updates.
 *
 * <p>Checks: tokens are range-checked before anything is written; negative-table entries and subword
 * rows as they are read (an {@link IndexOutOfBoundsException} then leaves earlier positions' updates).
 * Hogwild: W_in and W_out may be shared by several callers, racing on purpose; everything else is local.
 */
final class Word2VecReference {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final float MAX_X = 16.0f;
    private static final long LCG_MUL = 25214903917L;
    private static final long LCG_ADD = 11L;

    private Word2VecReference() {}

    /** One worker's pass over {@code c.tokens()}; updates the weights and {@code c.rng()} in place. */
    public static Word2VecStats trainChunk(Word2VecChunk c) {
        return new Pass(c).run();
    }

    /** One call's state: sizes, the segments and per-call scratch (the C kernel's workspace). */
    private static final class Pass {
        final MemorySegment wIn;
        final MemorySegment wOut;
        final int[] tokens;
        final int[] table;
        final long[] subOff;
        final int[] subIds;
        final int v;
        final long r;
        final int d;
        final int window;
        final int negative;
        final boolean cbow;
        final float lrStart;
        final float lrEnd;
        final Word2VecChunk chunk;
        final float[][] inVec;
        final float[][] inGrad;
        final float[][] g;
        final int[] ctx;
        final int[] out;
        final boolean[] mask;
        final float[] h;
        final float[] neu1e;
        double loss;
        long pairs;

        Pass(Word2VecChunk c) {
            chunk = c;
            requireHost(c.wIn(), DType.F32, "wIn");
            requireHost(c.wOut(), DType.F32, "wOut");
            requireHost(c.tokens(), DType.I32, "tokens");
            requireHost(c.negTable(), DType.I32, "negTable");
            requireHost(c.rng(), DType.I64, "rng");
            if (c.wIn().rank() != 2
                    || c.wOut().rank() != 2
                    || c.wIn().size(1) != c.wOut().size(1)) {
                throw new IllegalArgumentException("wIn (R,D) and wOut (V,D) must be 2-D with the same D, got "
                        + c.wIn().describe() + " and " + c.wOut().describe());
            }
            if (c.window() < 1 || c.negative() < 0 || c.negative() > 1024) {
                throw new IllegalArgumentException("need window >= 1 and 0 <= negative <= 1024, got window="
                        + c.window() + " negative=" + c.negative());
            }
            if (!(c.lrStart() >= 0)
                    || !(c.lrEnd() >= 0)
                    || Float.isInfinite(c.lrStart())
                    || Float.isInfinite(c.lrEnd())) {
                throw new IllegalArgumentException(
                        "learning rates must be finite and >= 0, got " + c.lrStart() + " -> " + c.lrEnd());
            }
            if ((c.subOffsets() == null) != (c.subIds() == null)) {
                throw new IllegalArgumentException("subOffsets and subIds must both be given or both null");
            }
            wIn = c.wIn().segment();
            wOut = c.wOut().segment();
            v = Math.toIntExact(c.wOut().size(0));
            r = c.wIn().size(0);
            d = Math.toIntExact(c.wIn().size(1));
            window = c.window();
            negative = c.negative();
            cbow = c.cbow();
            lrStart = c.lrStart();
            lrEnd = c.lrEnd();
            tokens = c.tokens().toIntArray();
            table = c.negTable().toIntArray();
            if (table.length == 0) {
                throw new IllegalArgumentException("negTable is empty");
            }
            if (c.subOffsets() != null) {
                requireHost(c.subOffsets(), DType.I64, "subOffsets");
                requireHost(c.subIds(), DType.I32, "subIds");
                if (c.subOffsets().numel() != v + 1L) {
                    throw new IllegalArgumentException("subOffsets must have V+1 = " + (v + 1) + " entries, got "
                            + c.subOffsets().numel());
                }
                subOff = c.subOffsets().toLongArray();
                subIds = c.subIds().toIntArray();
            } else {
                if (r < v) {
                    throw new IllegalArgumentException(
                            "without subwords wIn needs R >= V rows, got R=" + r + " V=" + v);
                }
                subOff = null;
                subIds = null;
            }
            for (int t = 0; t < tokens.length; t++) {
                if (tokens[t] < -1 || tokens[t] >= v) {
                    throw new IndexOutOfBoundsException(
                            "tokens[" + t + "] = " + tokens[t] + " out of range [-1, " + v + ")");
                }
            }
            int cmax = 2 * window;
            inVec = new float[cmax][d];
            inGrad = new float[cmax][d];
            g = new float[cmax][negative + 1];
            ctx = new int[cmax];
            out = new int[negative + 1];
            mask = new boolean[negative + 1];
            h = new float[d];
            neu1e = new float[d];
        }

        Word2VecStats run() {
            long rng = chunk.rng().getIndex(0);
            int n = tokens.length;
            int s = 0;
            try {
                while (s < n) {
                    if (tokens[s] == -1) {
                        s++;
                        continue;
                    }
                    int e = s;
                    while (e < n && tokens[e] != -1) {
                        e++;
                    }
                    for (int t = s; t < e; t++) {
                        float lr = lrStart + (lrEnd - lrStart) * (float) ((double) t / (double) n);
                        int center = tokens[t];
                        rng = rng * LCG_MUL + LCG_ADD;
                        int b = (int) Long.remainderUnsigned(rng, window);
                        out[0] = center;
                        for (int k = 1; k <= negative; k++) {
                            rng = rng * LCG_MUL + LCG_ADD;
                            int slot = (int) ((rng >>> 16) % table.length);
                            int w = table[slot];
                            if (w < 0 || w >= v) {
                                throw new IndexOutOfBoundsException(
                                        "negTable[" + slot + "] = " + w + " out of range [0, " + v + ")");
                            }
                            out[k] = w;
                        }
                        int cCount = 0;
                        for (int q = t - window + b; q <= t + window - b; q++) {
                            if (q != t && q >= s && q < e) {
                                ctx[cCount++] = tokens[q];
                            }
                        }
                        if (cCount == 0) {
                            continue;
                        }
                        for (int k = 0; k <= negative; k++) {
                            mask[k] = k == 0 || out[k] != center;
                        }
                        for (int i = 0; i < cCount; i++) {
                            inputVector(ctx[i], inVec[i]);
                        }
                        if (cbow) {
                            cbowStep(cCount, lr);
                            pairs += 1;
                        } else {
                            skipGramStep(cCount, lr);
                            pairs += cCount;
                        }
                    }
                    s = e;
                }
            } finally {
                chunk.rng().setIndex(0, rng);
            }
            return new Word2VecStats(loss, pairs);
        }

        private void skipGramStep(int cCount, float lr) {
            for (int i = 0; i < cCount; i++) {
                for (int k = 0; k <= negative; k++) {
                    g[i][k] = mask[k] ? grad(dotOut(inVec[i], out[k]), k == 0, lr) : 0.0f;
                }
            }
            for (int i = 0; i < cCount; i++) { // dIn from the output rows before their update
                float[] gi = inGrad[i];
                java.util.Arrays.fill(gi, 0.0f);
                for (int k = 0; k <= negative; k++) {
                    long base = (long) out[k] * d;
                    float gk = g[i][k];
                    for (int j = 0; j < d; j++) {
                        gi[j] += gk * wOut.getAtIndex(F, base + j);
                    }
                }
            }
            for (int k = 0; k <= negative; k++) {
                if (!mask[k]) {
                    continue;
                }
                long base = (long) out[k] * d;
                for (int j = 0; j < d; j++) {
                    float acc = 0.0f;
                    for (int i = 0; i < cCount; i++) {
                        acc += g[i][k] * inVec[i][j];
                    }
                    wOut.setAtIndex(F, base + j, wOut.getAtIndex(F, base + j) + acc);
                }
            }
            for (int i = 0; i < cCount; i++) {
                addToInput(ctx[i], inGrad[i]);
            }
        }

        private void cbowStep(int cCount, float lr) {
            float inv = 1.0f / cCount;
            for (int j = 0; j < d; j++) {
                float sum = 0.0f;
                for (int i = 0; i < cCount; i++) {
                    sum += inVec[i][j];
                }
                h[j] = sum * inv;
                neu1e[j] = 0.0f;
            }
            for (int k = 0; k <= negative; k++) {
                if (!mask[k]) {
                    continue;
                }
                long base = (long) out[k] * d;
                float gk = grad(dotOut(h, out[k]), k == 0, lr);
                for (int j = 0; j < d; j++) {
                    neu1e[j] += gk * wOut.getAtIndex(F, base + j);
                }
                for (int j = 0; j < d; j++) {
                    wOut.setAtIndex(F, base + j, wOut.getAtIndex(F, base + j) + gk * h[j]);
                }
            }
            for (int i = 0; i < cCount; i++) {
                addToInput(ctx[i], neu1e);
            }
        }

        /** The C kernel reads W_in rows in place; a copy is the same values, since W_in changes only at the end. */
        private void inputVector(int w, float[] dst) {
            if (subOff == null) {
                MemorySegment.copy(wIn, F, (long) w * d * 4, dst, 0, d);
                return;
            }
            long lo = subOff[w];
            long hi = subOff[w + 1];
            if (lo < 0 || hi <= lo || hi > subOff[v] || hi > subIds.length) {
                throw new IndexOutOfBoundsException("subOffsets[" + w + ".." + (w + 1) + "] = [" + lo + ", " + hi
                        + ") is not a non-empty range inside [0, " + Math.min(subOff[v], subIds.length) + ")");
            }
            java.util.Arrays.fill(dst, 0.0f);
            for (long p = lo; p < hi; p++) {
                int row = subIds[(int) p];
                if (row < 0 || row >= r) {
                    throw new IndexOutOfBoundsException(
                            "subIds[" + p + "] = " + row + " out of range [0, " + r + ") (word " + w + ")");
                }
                long base = (long) row * d;
                for (int j = 0; j < d; j++) {
                    dst[j] += wIn.getAtIndex(F, base + j);
                }
            }
            float inv = 1.0f / (float) (hi - lo);
            for (int j = 0; j < d; j++) {
                dst[j] *= inv;
            }
        }

        private void addToInput(int w, float[] delta) {
            if (subOff == null) {
                addRow((long) w, delta);
                return;
            }
            for (long p = subOff[w]; p < subOff[w + 1]; p++) {
                addRow(subIds[(int) p], delta);
            }
        }

        private void addRow(long row, float[] delta) {
            long base = row * d;
            for (int j = 0; j < d; j++) {
                wIn.setAtIndex(F, base + j, wIn.getAtIndex(F, base + j) + delta[j]);
            }
        }

        private float dotOut(float[] x, int o) {
            long base = (long) o * d;
            float s = 0.0f;
            for (int j = 0; j < d; j++) {
                s += x[j] * wOut.getAtIndex(F, base + j);
            }
            return s;
        }

        private float grad(float dot, boolean positive, float lr) {
            // NaN fails both comparisons and stays NaN, so divergence is not hidden
            float x = dot > MAX_X ? MAX_X : (dot < -MAX_X ? -MAX_X : dot);
            float sig = 1.0f / (1.0f + (float) Math.exp(-x));
            loss += positive ? softplus(-(double) x) : softplus(x);
            return ((positive ? 1.0f : 0.0f) - sig) * lr;
        }

        private static double softplus(double z) {
            return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
        }
    }

    private static void requireHost(Tensor t, DType dtype, String name) {
        if (t == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (!t.device().isHost() || t.dtype() != dtype) {
            throw new IllegalArgumentException(name + " must be a host " + dtype + " tensor, got " + t.describe());
        }
    }
}
