package org.embed4j.backend;

import org.embed4j.tensor.Tensor;

/**
 * One Hogwild worker's call of the word2vec kernel (C: e4j_w2v_train_chunk): the tensors are host
 * tensors; {@code rng} (I64, 1 element) carries word2vec's LCG state in and out.
 *
 * @param wIn        (R,D) input vectors (words, then subword buckets when subwords are on)
 * @param wOut       (V,D) output vectors
 * @param tokens     (T) I32 token ids after subsampling; -1 marks a sentence break
 * @param negTable   (S) I32 unigram^0.75 table
 * @param subOffsets (V+1) I64 or null: the CSR offsets of each word's subword rows in {@code subIds}
 * @param subIds     I32 or null: rows of {@code wIn} whose mean is a word's input vector
 * @param rng        I64 (1) LCG state, updated
 */
public record Word2VecChunk(
        Tensor wIn,
        Tensor wOut,
        Tensor tokens,
        Tensor negTable,
        Tensor subOffsets,
        Tensor subIds,
        Tensor rng,
        boolean cbow,
        int window,
        int negative,
        float lrStart,
        float lrEnd) {}
