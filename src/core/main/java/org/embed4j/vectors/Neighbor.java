package org.embed4j.vectors;

import java.util.Objects;

/**
 * One answer of a nearest-neighbour or analogy query: a vocabulary word and its score (cosine similarity
 * for {@code nearest} and {@link AnalogyMethod#COS_ADD}, the 3CosMul ratio for {@link AnalogyMethod#COS_MUL}).
 * Immutable.
 */
public record Neighbor(String word, double score) {
    public Neighbor {
        Objects.requireNonNull(word, "word");
    }
}
