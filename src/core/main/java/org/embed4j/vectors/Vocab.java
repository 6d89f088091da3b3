package org.embed4j.vectors;

/**
 * The row index &lt;-&gt; word mapping behind {@link WordVectors}: heap-backed ({@link HeapVocab}) or read
 * lazily from a memory-mapped native file ({@link MappedVocab}). Implementations are immutable and
 * thread-safe; words are unique.
 */
interface Vocab {
    /** Number of words V. */
    int size();

    /** The word of row {@code row}, 0 &lt;= row &lt; size(). */
    String word(int row);

    /** The row of {@code word}, or -1. */
    int indexOf(String word);
}
