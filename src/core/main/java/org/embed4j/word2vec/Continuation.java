package org.embed4j.word2vec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;
import org.embed4j.vectors.WordVectors;

/**
 * Continued training from an existing model, as gensim's {@code build_vocab(update=True)} then {@code train}: the
 * vocabulary is the old words, in their old order (their ids do not change), then the new corpus's words of count
 * &ge; minCount that the model lacks, most frequent first; every word's count is its count in the new corpus (0 for
 * an old word the corpus lacks: never sampled, never trained, its row left as it was). The input rows of old words
 * start from the model's vectors, the new rows as word2vec starts them; the output rows start at zero (a vectors
 * file does not keep them). The learning rate schedule restarts from the options' lr. Word-level models only: a
 * subword model's vectors are sums of rows that its file does not keep apart. Stateless.
 */
final class Continuation {
    private Continuation() {}

    /** Refuses what cannot be continued, naming why. */
    static void check(WordVectors init, Word2VecOptions o) {
        if (init.hasSubwords() || o.subwords()) {
            throw new IllegalArgumentException("continued training (--init) works on word-level models; "
                    + (init.hasSubwords() ? "this model has subword buckets" : "turn subwords off (--maxn 0)"));
        }
        if (init.dim() != o.dim()) {
            throw new IllegalArgumentException("the model to continue has dim " + init.dim() + ", the options say "
                    + o.dim() + "; they must match");
        }
    }

    /** The old words, then the new corpus's new words: see the class comment. */
    static Vocabulary vocabulary(WordVectors init, CorpusReader corpus, Tokenizer tokenizer, Word2VecOptions o) {
        Vocabulary all = Vocabulary.count(corpus, tokenizer, 1, Integer.MAX_VALUE);
        List<String> words = new ArrayList<>(init.words());
        List<Long> counts = new ArrayList<>(words.size() + 1024);
        for (String w : words) {
            int id = all.id(w);
            counts.add(id < 0 ? 0L : all.count(id));
        }
        int cap = o.maxVocab() == 0 ? Integer.MAX_VALUE : o.maxVocab();
        for (int id = 0; id < all.size() && words.size() < cap; id++) { // most frequent first
            if (all.count(id) >= o.minCount() && !init.contains(all.word(id))) {
                words.add(all.word(id));
                counts.add(all.count(id));
            }
        }
        return Vocabulary.ofOrdered(
                words, counts.stream().mapToLong(Long::longValue).toArray());
    }

    /** Overwrites the input rows of the old words (rows 0 .. old size) with the model's vectors. */
    static void copyRows(WordVectors init, Tensor wIn) {
        int d = init.dim();
        float[] row = new float[d];
        MemorySegment seg = wIn.segment();
        for (int i = 0; i < init.size(); i++) {
            init.vector(i, row, 0);
            MemorySegment.copy(row, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) i * d * 4, d);
        }
    }
}
