package org.embed4j.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * The plain-Java reference of the general word2vec kernel (C: e4j_w2v_hs_train_chunk, semantics written down in
 * native/src/common/w2v_hs.h). For each token position, word2vec's LCG draws the dynamic window b = rng % window and
 * then the K negatives (neg_table[(rng >> 16) % S], drawn for every position); lr decays linearly across the chunk.
 * <ul>
 *   <li>Inputs: the window's words (unless {@code wordInputs} is off), then the position's document row.</li>
 *   <li>Outputs, in order: the center's Huffman path, each inner node a row of W_hs with target 1 − branch
 *       (word2vec C's hierarchical softmax); then with K &gt; 0 the center (target 1) and the negatives (target 0)
 *       as rows of W_out, a negative equal to the center masked.</li>
 *   <li>Skip-gram, batched: G = In·Out^T over the position's inputs and outputs; dIn = G·Out and Out += G^T·In, both
 *       from the weights before the position's update; every row of an input += its dIn.</li>
 *   <li>CBOW: h = mean (or sum) of the inputs; per output in order: g, neu1e += g·out (old row), out += g·h; every
 *       row of every input += neu1e (word2vec C's update).</li>
 *   <li>Frozen words: W_in, W_hs, W_out are only read; document rows still learn.</li>
 * </ul>
 * g = (target − sigmoid(clamp(x, −16, 16)))·lr; the loss adds softplus(∓x). It must match the scalar C kernel
 * (w2v_hs_ref.c) to float rounding: same RNG stream, same pairs, same order of updates.
 *
 * <p>Checks: tokens and docs are range-checked before anything is written; codes, negative-table entries and subword
 * rows as they are read (an {@link IndexOutOfBoundsException} then leaves earlier positions' updates). Hogwild: the
 * weights may be shared by several callers, racing on purpose; everything else is local.
 */
public final class Word2VecHsReference {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final float MAX_X = 16.0f;
    private static final long LCG_MUL = 25214903917L;
    private static final long LCG_ADD = 11L;

    private Word2VecHsReference() {}

    /** One worker's pass over {@code c.tokens()}; updates the weights and {@code c.rng()} in place. */
    public static Word2VecStats trainChunk(Word2VecHsChunk c) {
        return new Pass(c).run();
    }

    /** One call's state: sizes, the segments and per-call scratch (the C kernel's workspace). */
    private static final class Pass {
        final Word2VecHsChunk c;
        final MemorySegment wIn;
        final MemorySegment wHs;
        final MemorySegment wOut;
        final MemorySegment wDoc;
        final int[] tokens;
        final int[] docs;
        final long[] codeOff;
        final int[] codes;
        final int[] table;
        final long[] subOff;
        final int[] subIds;
        final int v;
        final long r;
        final long h;
        final int d;
        final int negative;
        final boolean frozen;
        // per position: inputs (word id, or -1 for the document row) and outputs (matrix, row, target, mask)
        final int[] inWord;
        final float[][] inVec;
        final float[][] inGrad;
        final MemorySegment[] outMat;
        final long[] outRow;
        final float[] target;
        final boolean[] used;
        final int[] negs;
        final float[][] g;
        final float[] hidden;
        final float[] neu1e;
        int doc;
        double loss;
        long pairs;

        Pass(Word2VecHsChunk c) {
            this.c = c;
            requireHost(c.wIn(), DType.F32, "wIn");
            requireHost(c.tokens(), DType.I32, "tokens");
            requireHost(c.rng(), DType.I64, "rng");
            if (c.mode() == null) {
                throw new IllegalArgumentException("mode must not be null");
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
            if (c.codeOffsets() == null && c.negative() == 0) {
                throw new IllegalArgumentException(
                        "no output layer: give Huffman codes (hierarchical softmax) or negative > 0");
            }
            if ((c.wDoc() == null) != (c.docs() == null)) {
                throw new IllegalArgumentException("wDoc and docs must both be given or both be null");
            }
            if ((!c.wordInputs() || c.freezeWords()) && c.wDoc() == null) {
                throw new IllegalArgumentException("wordInputs = false and freezeWords need document rows (wDoc)");
            }
            wIn = c.wIn().segment();
            d = Math.toIntExact(c.wIn().size(1));
            r = c.wIn().size(0);
            v = Math.toIntExact(c.vocabSize());
            negative = c.negative();
            frozen = c.freezeWords();
            tokens = c.tokens().toIntArray();
            if (c.codeOffsets() != null) {
                requireHost(c.wHs(), DType.F32, "wHs");
                requireHost(c.codeOffsets(), DType.I64, "codeOffsets");
                requireHost(c.codes(), DType.I32, "codes");
                wHs = c.wHs().segment();
                h = c.wHs().size(0);
                codeOff = c.codeOffsets().toLongArray();
                codes = c.codes().toIntArray();
                if (c.maxCodeLength() < 1) {
                    throw new IllegalArgumentException("maxCodeLength must be >= 1, got " + c.maxCodeLength());
                }
            } else {
                wHs = null;
                h = 0;
                codeOff = null;
                codes = null;
            }
            if (negative > 0) {
                requireHost(c.wOut(), DType.F32, "wOut");
                requireHost(c.negTable(), DType.I32, "negTable");
                wOut = c.wOut().segment();
                table = c.negTable().toIntArray();
                if (table.length == 0) {
                    throw new IllegalArgumentException("negTable is empty but negative = " + negative);
                }
            } else {
                wOut = null;
                table = null;
            }
            if (c.wDoc() != null) {
                requireHost(c.wDoc(), DType.F32, "wDoc");
                requireHost(c.docs(), DType.I32, "docs");
                wDoc = c.wDoc().segment();
                docs = c.docs().toIntArray();
            } else {
                wDoc = null;
                docs = null;
            }
            if (c.subOffsets() != null) {
                requireHost(c.subOffsets(), DType.I64, "subOffsets");
                requireHost(c.subIds(), DType.I32, "subIds");
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
            checkTokensAndDocs();
            int cmax = 2 * c.window() + 1;
            int omax = (codes == null ? 0 : c.maxCodeLength()) + negative + 1;
            inWord = new int[cmax];
            inVec = new float[cmax][d];
            inGrad = new float[cmax][d];
            outMat = new MemorySegment[omax];
            outRow = new long[omax];
            target = new float[omax];
            used = new boolean[omax];
            negs = new int[Math.max(1, negative)];
            g = new float[cmax][omax];
            hidden = new float[d];
            neu1e = new float[d];
        }

        private void checkTokensAndDocs() {
            long p = wDoc == null ? 0 : c.wDoc().size(0);
            for (int t = 0; t < tokens.length; t++) {
                if (tokens[t] < -1 || tokens[t] >= v) {
                    throw new IndexOutOfBoundsException(
                            "tokens[" + t + "] = " + tokens[t] + " out of range [-1, " + v + ")");
                }
                if (docs != null && tokens[t] >= 0 && (docs[t] < 0 || docs[t] >= p)) {
                    throw new IndexOutOfBoundsException(
                            "docs[" + t + "] = " + docs[t] + " out of range [0, " + p + ")");
                }
            }
        }

        Word2VecStats run() {
            long rng = c.rng().getIndex(0);
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
                        float lr = c.lrStart() + (c.lrEnd() - c.lrStart()) * (float) ((double) t / (double) n);
                        rng = rng * LCG_MUL + LCG_ADD;
                        int b = (int) Long.remainderUnsigned(rng, c.window());
                        for (int k = 0; k < negative; k++) {
                            rng = rng * LCG_MUL + LCG_ADD;
                            int slot = (int) ((rng >>> 16) % table.length);
                            negs[k] = table[slot];
                            if (negs[k] < 0 || negs[k] >= v) {
                                throw new IndexOutOfBoundsException(
                                        "negTable[" + slot + "] = " + negs[k] + " out of range [0, " + v + ")");
                            }
                        }
                        int inputs = listInputs(t, s, e, b);
                        if (inputs == 0) {
                            continue;
                        }
                        int outputs = listOutputs(tokens[t]);
                        for (int i = 0; i < inputs; i++) {
                            inputVector(i);
                        }
                        if (c.mode() == Word2VecHsChunk.Mode.SKIP_GRAM) {
                            skipGramStep(inputs, outputs, lr);
                            pairs += inputs;
                        } else {
                            cbowStep(inputs, outputs, lr);
                            pairs += 1;
                        }
                    }
                    s = e;
                }
            } finally {
                c.rng().setIndex(0, rng);
            }
            return new Word2VecStats(loss, pairs);
        }

        /** The window's words (unless off), then the document row (-1); checks their subword rows. */
        private int listInputs(int t, int s, int e, int b) {
            int count = 0;
            if (c.wordInputs()) {
                for (int q = t - c.window() + b; q <= t + c.window() - b; q++) {
                    if (q != t && q >= s && q < e) {
                        inWord[count++] = tokens[q];
                    }
                }
                if (subOff != null) {
                    for (int i = 0; i < count; i++) {
                        checkSubwords(inWord[i]);
                    }
                }
            }
            if (wDoc != null) {
                doc = docs[t];
                inWord[count++] = -1;
            }
            return count;
        }

        /** The center's Huffman path (checked as read), then the center and the negatives. */
        private int listOutputs(int center) {
            int o = 0;
            if (codes != null) {
                long lo = codeOff[center];
                long hi = codeOff[center + 1];
                if (lo < 0 || hi <= lo || hi > codeOff[v] || hi > codes.length || hi - lo > c.maxCodeLength()) {
                    throw new IndexOutOfBoundsException("codeOffsets[" + center + ".." + (center + 1) + "] = [" + lo
                            + ", " + hi + ") is not a range of 1 to maxCodeLength = " + c.maxCodeLength()
                            + " entries inside [0, " + Math.min(codeOff[v], codes.length) + ")");
                }
                for (long j = lo; j < hi; j++) {
                    int code = codes[(int) j];
                    if (code < 0 || (code >> 1) >= h) {
                        throw new IndexOutOfBoundsException("codes[" + j + "] = " + code + " names inner node "
                                + (code >> 1) + ", outside [0, " + h + ") (word " + center + ")");
                    }
                    outMat[o] = wHs;
                    outRow[o] = code >> 1;
                    target[o] = (code & 1) == 0 ? 1f : 0f;
                    used[o++] = true;
                }
            }
            if (negative > 0) {
                outMat[o] = wOut;
                outRow[o] = center;
                target[o] = 1f;
                used[o++] = true;
                for (int k = 0; k < negative; k++) {
                    outMat[o] = wOut;
                    outRow[o] = negs[k];
                    target[o] = 0f;
                    used[o++] = negs[k] != center;
                }
            }
            return o;
        }

        private void skipGramStep(int inputs, int outputs, float lr) {
            for (int i = 0; i < inputs; i++) {
                for (int j = 0; j < outputs; j++) {
                    g[i][j] = used[j] ? grad(dotOut(inVec[i], j), target[j], lr) : 0f;
                }
            }
            for (int i = 0; i < inputs; i++) { // dIn from the output rows before their update
                float[] gi = inGrad[i];
                Arrays.fill(gi, 0f);
                for (int j = 0; j < outputs; j++) {
                    long base = outRow[j] * d;
                    float gij = g[i][j];
                    for (int k = 0; k < d; k++) {
                        gi[k] += gij * outMat[j].getAtIndex(F, base + k);
                    }
                }
            }
            if (!frozen) {
                for (int j = 0; j < outputs; j++) {
                    if (!used[j]) {
                        continue;
                    }
                    long base = outRow[j] * d;
                    for (int k = 0; k < d; k++) {
                        float acc = 0f;
                        for (int i = 0; i < inputs; i++) {
                            acc += g[i][j] * inVec[i][k];
                        }
                        outMat[j].setAtIndex(F, base + k, outMat[j].getAtIndex(F, base + k) + acc);
                    }
                }
            }
            for (int i = 0; i < inputs; i++) {
                addToInput(i, inGrad[i]);
            }
        }

        private void cbowStep(int inputs, int outputs, float lr) {
            float scale = c.mode() == Word2VecHsChunk.Mode.CBOW_SUM ? 1f : 1f / inputs;
            for (int k = 0; k < d; k++) {
                float sum = 0f;
                for (int i = 0; i < inputs; i++) {
                    sum += inVec[i][k];
                }
                hidden[k] = sum * scale;
                neu1e[k] = 0f;
            }
            for (int j = 0; j < outputs; j++) {
                if (!used[j]) {
                    continue;
                }
                long base = outRow[j] * d;
                float gj = grad(dotOut(hidden, j), target[j], lr);
                for (int k = 0; k < d; k++) {
                    neu1e[k] += gj * outMat[j].getAtIndex(F, base + k);
                }
                if (!frozen) {
                    for (int k = 0; k < d; k++) {
                        outMat[j].setAtIndex(F, base + k, outMat[j].getAtIndex(F, base + k) + gj * hidden[k]);
                    }
                }
            }
            for (int i = 0; i < inputs; i++) {
                addToInput(i, neu1e);
            }
        }

        /** The C kernel reads input rows in place; a copy is the same values, since inputs change only at the end. */
        private void inputVector(int i) {
            int w = inWord[i];
            float[] dst = inVec[i];
            if (w < 0) {
                MemorySegment.copy(wDoc, F, (long) doc * d * 4, dst, 0, d);
                return;
            }
            if (subOff == null) {
                MemorySegment.copy(wIn, F, (long) w * d * 4, dst, 0, d);
                return;
            }
            Arrays.fill(dst, 0f);
            long lo = subOff[w];
            long hi = subOff[w + 1];
            for (long p = lo; p < hi; p++) {
                long base = (long) subIds[(int) p] * d;
                for (int k = 0; k < d; k++) {
                    dst[k] += wIn.getAtIndex(F, base + k);
                }
            }
            float inv = 1f / (float) (hi - lo);
            for (int k = 0; k < d; k++) {
                dst[k] *= inv;
            }
        }

        private void checkSubwords(int w) {
            long lo = subOff[w];
            long hi = subOff[w + 1];
            if (lo < 0 || hi <= lo || hi > subOff[v] || hi > subIds.length) {
                throw new IndexOutOfBoundsException("subOffsets[" + w + ".." + (w + 1) + "] = [" + lo + ", " + hi
                        + ") is not a non-empty range inside [0, " + Math.min(subOff[v], subIds.length) + ")");
            }
            for (long p = lo; p < hi; p++) {
                int row = subIds[(int) p];
                if (row < 0 || row >= r) {
                    throw new IndexOutOfBoundsException(
                            "subIds[" + p + "] = " + row + " out of range [0, " + r + ") (word " + w + ")");
                }
            }
        }

        private void addToInput(int i, float[] delta) {
            int w = inWord[i];
            if (w < 0) {
                addRow(wDoc, doc, delta);
            } else if (frozen) {
                return;
            } else if (subOff == null) {
                addRow(wIn, w, delta);
            } else {
                for (long p = subOff[w]; p < subOff[w + 1]; p++) {
                    addRow(wIn, subIds[(int) p], delta);
                }
            }
        }

        private void addRow(MemorySegment m, long row, float[] delta) {
            long base = row * d;
            for (int k = 0; k < d; k++) {
                m.setAtIndex(F, base + k, m.getAtIndex(F, base + k) + delta[k]);
            }
        }

        private float dotOut(float[] x, int j) {
            long base = outRow[j] * d;
            float s = 0f;
            for (int k = 0; k < d; k++) {
                s += x[k] * outMat[j].getAtIndex(F, base + k);
            }
            return s;
        }

        private float grad(float dot, float label, float lr) {
            // NaN fails both comparisons and stays NaN, so divergence is not hidden
            float x = dot > MAX_X ? MAX_X : (dot < -MAX_X ? -MAX_X : dot);
            float sig = 1f / (1f + (float) Math.exp(-x));
            loss += label != 0f ? softplus(-(double) x) : softplus(x);
            return (label - sig) * lr;
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
