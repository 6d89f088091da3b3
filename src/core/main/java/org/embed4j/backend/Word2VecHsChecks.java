package org.embed4j.backend;

import java.util.Objects;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * The argument checks of {@link Backend#word2vecHsTrainChunk} for {@link CheckedBackend}: every tensor present,
 * open, on the host, of its dtype, and of a shape that agrees with the others (the D of every weight matrix, the V
 * implied by the codes, W_out and the subword offsets, docs beside tokens); an output layer and the document rows
 * that {@code wordInputs = false} and {@code freezeWords} need. The data (token, doc, code and table entries) is
 * checked by the kernels. Stateless; thread-safe.
 */
final class Word2VecHsChecks {
    /** The kernels' bound on a code (a Huffman code over fewer than 2^31 words is shorter than 64). */
    static final int MAX_CODE_LENGTH = 255;

    private Word2VecHsChecks() {}

    static void check(TensorChecks check, Word2VecHsChunk c) {
        Objects.requireNonNull(c, "chunk must not be null");
        if (c.mode() == null) {
            throw new IllegalArgumentException("mode must be SKIP_GRAM, CBOW_MEAN or CBOW_SUM, got null");
        }
        Tensor wIn = matrix(check, c.wIn(), "wIn");
        long d = wIn.size(1);
        if (check.hostTensor(c.tokens(), "tokens", DType.I32).rank() != 1) {
            throw new IllegalArgumentException(
                    "tokens must be 1-D, got " + c.tokens().describe());
        }
        if (check.hostTensor(c.rng(), "rng", DType.I64).numel() != 1) {
            throw new IllegalArgumentException(
                    "rng must hold 1 element, got " + c.rng().describe());
        }
        if (c.window() < 1 || c.negative() < 0 || c.negative() > 1024) {
            throw new IllegalArgumentException("window must be >= 1 and negative in [0, 1024], got window " + c.window()
                    + ", negative " + c.negative());
        }
        if (!(c.lrStart() >= 0) || !(c.lrEnd() >= 0) || Float.isInfinite(c.lrStart()) || Float.isInfinite(c.lrEnd())) {
            throw new IllegalArgumentException(
                    "learning rates must be finite and >= 0, got " + c.lrStart() + " -> " + c.lrEnd());
        }
        if (c.codeOffsets() == null && c.negative() == 0) {
            throw new IllegalArgumentException(
                    "no output layer: give Huffman codes (hierarchical softmax) or negative > 0");
        }
        long v = -1;
        if (c.codeOffsets() != null) {
            sameD(matrix(check, c.wHs(), "wHs"), "wHs", d);
            v = check.hostTensor(c.codeOffsets(), "codeOffsets", DType.I64).numel() - 1;
            if (v < 1) {
                throw new IllegalArgumentException("codeOffsets must hold V+1 >= 2 entries, got "
                        + c.codeOffsets().describe());
            }
            check.hostTensor(c.codes(), "codes", DType.I32);
            if (c.maxCodeLength() < 1 || c.maxCodeLength() > MAX_CODE_LENGTH) {
                throw new IllegalArgumentException(
                        "maxCodeLength must be in [1, " + MAX_CODE_LENGTH + "], got " + c.maxCodeLength());
            }
        }
        if (c.negative() > 0) {
            Tensor wOut = sameD(matrix(check, c.wOut(), "wOut"), "wOut", d);
            if (v >= 0 && wOut.size(0) != v) {
                throw new IllegalArgumentException(
                        "wOut must have a row per word, V = " + v + " (codeOffsets), got " + wOut.describe());
            }
            v = wOut.size(0);
            if (check.hostTensor(c.negTable(), "negTable", DType.I32).numel() == 0) {
                throw new IllegalArgumentException("negTable is empty but negative = " + c.negative());
            }
        }
        if ((c.wDoc() == null) != (c.docs() == null)) {
            throw new IllegalArgumentException("wDoc and docs must both be given or both be null");
        }
        if (c.wDoc() != null) {
            sameD(matrix(check, c.wDoc(), "wDoc"), "wDoc", d);
            check.sameCount(
                    check.hostTensor(c.docs(), "docs", DType.I32),
                    "docs",
                    c.tokens().numel());
        } else if (!c.wordInputs() || c.freezeWords()) {
            throw new IllegalArgumentException("wordInputs = false and freezeWords need document rows (wDoc, docs)");
        }
        if ((c.subOffsets() == null) != (c.subIds() == null)) {
            throw new IllegalArgumentException("subOffsets and subIds must both be given or both be null");
        }
        if (c.subOffsets() != null) {
            check.sameCount(check.hostTensor(c.subOffsets(), "subOffsets", DType.I64), "subOffsets", v + 1);
            check.hostTensor(c.subIds(), "subIds", DType.I32);
        } else if (wIn.size(0) < v) {
            throw new IllegalArgumentException(
                    "without subwords wIn needs a row per word (V = " + v + "), got wIn " + wIn.describe());
        }
    }

    private static Tensor matrix(TensorChecks check, Tensor t, String name) {
        if (check.hostTensor(t, name, DType.F32).rank() != 2) {
            throw new IllegalArgumentException(name + " must be 2-D (rows, D), got " + t.describe());
        }
        return t;
    }

    private static Tensor sameD(Tensor t, String name, long d) {
        if (t.size(1) != d) {
            throw new IllegalArgumentException(name + " must have D = " + d + " columns like wIn, got " + t.describe());
        }
        return t;
    }
}
