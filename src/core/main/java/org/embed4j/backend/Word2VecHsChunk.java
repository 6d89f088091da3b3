package org.embed4j.backend;

import org.embed4j.tensor.Tensor;

/**
 * One Hogwild worker's call of the general word2vec kernel (C: e4j_w2v_hs_train_chunk): hierarchical softmax over
 * a Huffman tree, negative sampling, or both at once (word2vec C's {@code -hs 1 -negative K}), and optional document
 * rows (paragraph vectors: PV-DBOW in skip-gram mode, PV-DM in the CBOW modes). Host tensors;
 * {@code rng} (I64, 1 element) carries word2vec's LCG state in and out. V, the vocabulary size, is
 * {@code codeOffsets.numel() - 1} with hierarchical softmax, else {@code wOut.size(0)}.
 *
 * @param wIn           (R,D) input vectors (words, then subword buckets when subwords are on)
 * @param wHs           (H,D) inner-node vectors of the Huffman tree, or null without hierarchical softmax
 * @param wOut          (V,D) negative-sampling output vectors, or null when {@code negative == 0}
 * @param wDoc          (P,D) document vectors, or null (plain word2vec)
 * @param tokens        (T) I32 token ids after subsampling; -1 marks a sentence break
 * @param docs          (T) I32 the document row of each position, or null (exactly when {@code wDoc} is)
 * @param codeOffsets   (V+1) I64 or null: word w's code is {@code codes[codeOffsets[w] .. codeOffsets[w+1])}
 * @param codes         I32 or null: {@code 2·n + b} for inner node n (a row of wHs) and branch b, root first
 *                      ({@link org.embed4j.text.HuffmanCodes})
 * @param maxCodeLength the longest code (sizes the kernel's scratch)
 * @param negTable      (S) I32 unigram^0.75 table, or null when {@code negative == 0}
 * @param negative      negatives per position, 0 for hierarchical softmax alone
 * @param subOffsets    (V+1) I64 or null: the CSR offsets of each word's subword rows in {@code subIds}
 * @param subIds        I32 or null: rows of {@code wIn} whose mean is a word's input vector
 * @param rng           I64 (1) LCG state, updated
 * @param mode          skip-gram, or CBOW over the mean or the sum of the inputs
 * @param wordInputs    whether the window's words are inputs (false: PV-DBOW without word training)
 * @param freezeWords   true: wIn, wHs and wOut are only read and only wDoc learns (inferring a document's vector)
 * @param window        the largest context distance (word2vec's dynamic window draws 1..window)
 * @param lrStart       learning rate at the chunk's first token
 * @param lrEnd         learning rate reached at its end (linear)
 */
public record Word2VecHsChunk(
        Tensor wIn,
        Tensor wHs,
        Tensor wOut,
        Tensor wDoc,
        Tensor tokens,
        Tensor docs,
        Tensor codeOffsets,
        Tensor codes,
        int maxCodeLength,
        Tensor negTable,
        int negative,
        Tensor subOffsets,
        Tensor subIds,
        Tensor rng,
        Mode mode,
        boolean wordInputs,
        boolean freezeWords,
        int window,
        float lrStart,
        float lrEnd) {

    /** What predicts the center: each input on its own (skip-gram), or their mean or sum (CBOW). */
    public enum Mode {
        SKIP_GRAM,
        CBOW_MEAN,
        CBOW_SUM
    }

    /** The vocabulary size V the tensors imply. */
    public long vocabSize() {
        return codeOffsets != null ? codeOffsets.numel() - 1 : wOut.size(0);
    }
}
