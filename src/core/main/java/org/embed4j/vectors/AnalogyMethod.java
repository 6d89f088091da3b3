package org.embed4j.vectors;

/**
 * How {@link WordVectors#analogy} scores a candidate d for a:b::c:d (Levy &amp; Goldberg, "Linguistic
 * Regularities in Sparse and Explicit Word Representations", 2014). cos = cosine similarity.
 */
public enum AnalogyMethod {
    /** 3CosAdd: cos(d,b) - cos(d,a) + cos(d,c); the ranking of word2vec's compute-accuracy and gensim's most_similar. */
    COS_ADD,
    /**
     * 3CosMul: cos'(d,b)·cos'(d,c) / (cos'(d,a) + 0.001), with cos' = (cos + 1) / 2 mapped to [0,1]
     * (gensim's most_similar_cosmul).
     */
    COS_MUL
}
