package org.embed4j.docvec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.embed4j.backend.Word2VecHsChunk;
import org.embed4j.internal.sampling.NegativeSampler;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.HuffmanCodes;
import org.embed4j.word2vec.Word2VecOptions;

/**
 * The word-side weights of a paragraph-vector model and what the general word2vec kernel reads beside them: the
 * word input rows W_in (V,D), the hierarchical-softmax rows W_hs (V−1,D) with the Huffman codes, and/or the
 * negative-sampling rows W_out (V,D) with the unigram^0.75 table. The codes and the table are functions of the word
 * counts, so a saved model stores only the counts. The tensors live in automatic arenas (freed by the GC), so
 * nothing here needs closing; during training the rows are updated lock-free by the Hogwild workers, afterwards they
 * are only read.
 */
record DocWeights(
        Tensor wIn,
        Tensor wHs,
        Tensor wOut,
        Tensor codeOffsets,
        Tensor codes,
        int maxCodeLength,
        Tensor negTable,
        long[] counts) {

    private static final long LCG_MUL = 25214903917L;

    /** Fresh weights: W_in as word2vec initialises it (from {@code seed}), the output rows zero. */
    static DocWeights init(Word2VecOptions o, long[] counts) {
        int v = counts.length;
        Tensor wIn = randomRows(v, o.dim(), o.seed());
        return withOutputs(
                o, counts, wIn, o.hs() ? zeros(v - 1, o.dim()) : null, o.negative() > 0 ? zeros(v, o.dim()) : null);
    }

    /** Weights around given rows (a loaded model); builds the codes and the table from the counts. */
    static DocWeights withOutputs(Word2VecOptions o, long[] counts, Tensor wIn, Tensor wHs, Tensor wOut) {
        Tensor offsets = null;
        Tensor codes = null;
        int maxLen = 0;
        if (wHs != null) {
            HuffmanCodes h = HuffmanCodes.of(counts);
            offsets = copy(h.offsets());
            codes = copy(h.codes());
            maxLen = h.maxLength();
        }
        Tensor table = wOut == null
                ? null
                : copy(new NegativeSampler(counts, o.negTableSize(), NegativeSampler.POWER).table());
        return new DocWeights(wIn, wHs, wOut, offsets, codes, maxLen, table, counts.clone());
    }

    /** One call of the kernel over {@code tokens} with document rows {@code wDoc}. */
    Word2VecHsChunk chunk(
            Word2VecOptions o,
            Tensor wDoc,
            Tensor tokens,
            Tensor docs,
            Tensor rng,
            boolean wordInputs,
            boolean freezeWords,
            float lrStart,
            float lrEnd) {
        Word2VecHsChunk.Mode mode = o.model() == Word2VecOptions.Model.SG
                ? Word2VecHsChunk.Mode.SKIP_GRAM
                : (o.cbowMean() ? Word2VecHsChunk.Mode.CBOW_MEAN : Word2VecHsChunk.Mode.CBOW_SUM);
        return new Word2VecHsChunk(
                wIn,
                wHs,
                wOut,
                wDoc,
                tokens,
                docs,
                codeOffsets,
                codes,
                Math.max(1, maxCodeLength),
                negTable,
                wOut == null ? 0 : o.negative(),
                null,
                null,
                rng,
                mode,
                wordInputs,
                freezeWords,
                o.window(),
                lrStart,
                lrEnd);
    }

    /** rows×dim floats drawn as word2vec draws W_in: (u − 0.5)/dim, u from its LCG (16 bits a draw). */
    static Tensor randomRows(long rows, int dim, long seed) {
        Tensor w = zeros(rows, dim);
        MemorySegment s = w.segment();
        long r = seed;
        for (long i = 0; i < rows * dim; i++) {
            r = r * LCG_MUL + 11;
            s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (((r & 0xFFFF) / 65536f) - 0.5f) / dim);
        }
        return w;
    }

    static Tensor zeros(long rows, int dim) {
        return Tensor.allocate(Arena.ofAuto(), DType.F32, rows, dim);
    }

    static Tensor copy(long[] values) {
        Tensor t = Tensor.allocate(Arena.ofAuto(), DType.I64, values.length);
        MemorySegment.copy(values, 0, t.segment(), ValueLayout.JAVA_LONG_UNALIGNED, 0, values.length);
        return t;
    }

    static Tensor copy(int[] values) {
        Tensor t = Tensor.allocate(Arena.ofAuto(), DType.I32, values.length);
        MemorySegment.copy(values, 0, t.segment(), ValueLayout.JAVA_INT_UNALIGNED, 0, values.length);
        return t;
    }
}
