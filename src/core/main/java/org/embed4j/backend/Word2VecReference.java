package org.embed4j.backend;

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
 * <p>Computed by {@link Word2VecHsReference}, the general kernel's reference, with negatives alone, no Huffman paths
 * and no document rows: the two kernels draw and update the same way then (Word2VecHsReferenceTest checks it bit for
 * bit), so one Java specification serves both C kernels. Its checks apply: tokens are range-checked before anything
 * is written; negative-table entries and subword rows as they are read. Hogwild: W_in and W_out may be shared by
 * several callers, racing on purpose.
 */
final class Word2VecReference {
    private Word2VecReference() {}

    /** One worker's pass over {@code c.tokens()}; updates the weights and {@code c.rng()} in place. */
    public static Word2VecStats trainChunk(Word2VecChunk c) {
        return Word2VecHsReference.trainChunk(new Word2VecHsChunk(
                c.wIn(),
                null,
                c.wOut(),
                null,
                c.tokens(),
                null,
                null,
                null,
                1,
                c.negTable(),
                c.negative(),
                c.subOffsets(),
                c.subIds(),
                c.rng(),
                c.cbow() ? Word2VecHsChunk.Mode.CBOW_MEAN : Word2VecHsChunk.Mode.SKIP_GRAM,
                true,
                false,
                c.window(),
                c.lrStart(),
                c.lrEnd()));
    }
}
