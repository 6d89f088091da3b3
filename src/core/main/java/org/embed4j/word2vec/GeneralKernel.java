package org.embed4j.word2vec;

import org.embed4j.backend.Backend;
import org.embed4j.backend.Word2VecHsChunk;
import org.embed4j.backend.Word2VecStats;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.HuffmanCodes;

/**
 * The word2vec runs that the negative-sampling kernel does not cover go through the general kernel
 * ({@link Backend#word2vecHsTrainChunk}): hierarchical softmax (alone or beside negative sampling) and CBOW over the
 * sum of the contexts. Holds what every call shares: the weights, the Huffman codes as the kernel reads them and the
 * options. The inner-node rows W_hs start at zero, as word2vec C's syn1. Shared by the Hogwild workers (read-only
 * apart from the weights, which are updated lock-free on purpose); closes the tensors it made.
 */
final class GeneralKernel implements AutoCloseable {
    private final Backend backend;
    private final Tensor wIn;
    private final Tensor wOut;
    private final Tensor negTable;
    private final Tensor subOffsets;
    private final Tensor subIds;
    private final Tensor wHs; // (V-1,D) or null
    private final Tensor codeOffsets;
    private final Tensor codes;
    private final int maxCodeLength;
    private final Word2VecOptions o;

    /** {@code wOut} and {@code negTable} may be null when {@code o.negative() == 0}; subwords null when off. */
    GeneralKernel(
            Backend backend,
            Word2VecOptions o,
            long[] counts,
            Tensor wIn,
            Tensor wOut,
            Tensor negTable,
            Tensor subOffsets,
            Tensor subIds) {
        this.backend = backend;
        this.o = o;
        this.wIn = wIn;
        this.wOut = o.negative() > 0 ? wOut : null;
        this.negTable = o.negative() > 0 ? negTable : null;
        this.subOffsets = subOffsets;
        this.subIds = subIds;
        if (o.hs()) {
            HuffmanCodes h = HuffmanCodes.of(counts);
            maxCodeLength = h.maxLength();
            wHs = Tensor.allocate(DType.F32, h.innerNodes(), o.dim());
            codeOffsets = Tensor.of(h.offsets());
            codes = Tensor.of(h.codes());
        } else {
            maxCodeLength = 0;
            wHs = null;
            codeOffsets = null;
            codes = null;
        }
    }

    /** Whether the negative-sampling kernel cannot run these options and this class must. */
    static boolean needed(Word2VecOptions o) {
        return o.hs() || (o.model() == Word2VecOptions.Model.CBOW && !o.cbowMean());
    }

    Word2VecStats train(Tensor tokens, Tensor rng, float lrStart, float lrEnd) {
        Word2VecHsChunk.Mode mode = o.model() == Word2VecOptions.Model.SG
                ? Word2VecHsChunk.Mode.SKIP_GRAM
                : (o.cbowMean() ? Word2VecHsChunk.Mode.CBOW_MEAN : Word2VecHsChunk.Mode.CBOW_SUM);
        return backend.word2vecHsTrainChunk(new Word2VecHsChunk(
                wIn,
                wHs,
                wOut,
                null,
                tokens,
                null,
                codeOffsets,
                codes,
                Math.max(1, maxCodeLength),
                negTable,
                o.negative(),
                subOffsets,
                subIds,
                rng,
                mode,
                true,
                false,
                o.window(),
                lrStart,
                lrEnd));
    }

    /** The inner-node rows (null without hierarchical softmax); row V − 2, the root, is on every path. */
    Tensor innerNodes() {
        return wHs;
    }

    @Override
    public void close() {
        for (Tensor t : new Tensor[] {wHs, codeOffsets, codes}) {
            if (t != null) {
                t.close();
            }
        }
    }
}
