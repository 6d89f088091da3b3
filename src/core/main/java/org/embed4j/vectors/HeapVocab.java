package org.embed4j.vectors;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.io.Snippet;

/**
 * A vocabulary held on the heap: the word list and a hash map from word to row. Immutable and thread-safe
 * once constructed. Duplicate or null words are rejected, naming the word and both rows.
 */
final class HeapVocab implements Vocab {
    private final String[] words;
    private final Map<String, Integer> index;

    HeapVocab(List<String> words) {
        this.words = new String[words.size()];
        this.index = HashMap.newHashMap(words.size());
        for (int i = 0; i < this.words.length; i++) {
            String w = words.get(i);
            if (w == null) {
                throw new IllegalArgumentException("word at row " + i + " is null");
            }
            Integer previous = index.putIfAbsent(w, i);
            if (previous != null) {
                throw new IllegalArgumentException(
                        "duplicate word '" + Snippet.of(w) + "' at rows " + previous + " and " + i);
            }
            this.words[i] = w;
        }
    }

    @Override
    public int size() {
        return words.length;
    }

    @Override
    public String word(int row) {
        return words[row];
    }

    @Override
    public int indexOf(String word) {
        Integer i = index.get(word);
        return i == null ? -1 : i;
    }
}
