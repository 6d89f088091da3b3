package org.embed4j.spark;

import java.io.Serializable;

/**
 * What one task sends back after a sync round: per weight matrix the rows it changed ({@link RowDelta}), the corpus
 * words or training tokens it read, and its summed loss over {@code pairs} loss terms (word2vec's (input, output)
 * pairs, or the classifier's examples). Immutable.
 */
record ShardUpdate(RowDelta[] deltas, long words, double lossSum, long pairs) implements Serializable {
    static ShardUpdate empty(int matrices) {
        return new ShardUpdate(new RowDelta[matrices], 0, 0, 0);
    }
}
