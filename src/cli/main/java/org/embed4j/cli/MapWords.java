package org.embed4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;

/**
 * Which words a map shows, in the order their labels are placed (most important first): a list given by the user,
 * the most frequent words of the vocabulary (its order), or query words each with its nearest neighbours (one group
 * a query; a word near two queries stays in the first one's group). Immutable.
 *
 * @param words the words, no repeats
 * @param groups for each word, the index of its group in {@code groupNames}
 * @param queries for each word, whether it is a query word
 * @param groupNames one name a group ("near money"); empty when there are no groups
 */
record MapWords(List<String> words, int[] groups, boolean[] queries, List<String> groupNames) {

    /** The words as given, repeats dropped; each must have a vector (be in the vocabulary, or have subwords). */
    static MapWords of(WordVectors v, List<String> given) {
        Set<String> words = new LinkedHashSet<>();
        for (String w : given) {
            requireVector(v, w);
            words.add(w);
        }
        return ungrouped(words);
    }

    /** The vocabulary's words {@code skip} to {@code skip + count} (most frequent first in trained models). */
    static MapWords top(WordVectors v, int count, int skip) {
        if (count < 1 || skip < 0) {
            throw new IllegalArgumentException("--top must be >= 1 and --skip >= 0, got " + count + " and " + skip);
        }
        if (skip >= v.size()) {
            throw new IllegalArgumentException("--skip " + skip + " leaves no words: the model has " + v.size());
        }
        return ungrouped(new LinkedHashSet<>(v.words().subList(skip, Math.min(v.size(), skip + count))));
    }

    /** Each query word and its {@code k} nearest neighbours by cosine, one group a query. */
    static MapWords near(WordVectors v, List<String> queries, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("-k must be >= 1, got " + k);
        }
        Map<String, Integer> group = new LinkedHashMap<>();
        List<String> queryWords = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String q : queries) {
            requireVector(v, q);
            if (queryWords.contains(q)) {
                continue;
            }
            queryWords.add(q);
            names.add("near " + q);
        }
        // queries first, so that a query listed as another query's neighbour keeps its own group
        for (int g = 0; g < queryWords.size(); g++) {
            group.putIfAbsent(queryWords.get(g), g);
        }
        for (int g = 0; g < queryWords.size(); g++) {
            for (Neighbor n : v.nearest(queryWords.get(g), k)) {
                group.putIfAbsent(n.word(), g);
            }
        }
        List<String> words = new ArrayList<>(group.keySet());
        int[] groups = new int[words.size()];
        boolean[] isQuery = new boolean[words.size()];
        for (int i = 0; i < words.size(); i++) {
            groups[i] = group.get(words.get(i));
            isQuery[i] = queryWords.contains(words.get(i));
        }
        return new MapWords(List.copyOf(words), groups, isQuery, List.copyOf(names));
    }

    int size() {
        return words.size();
    }

    private static MapWords ungrouped(Set<String> words) {
        return new MapWords(List.copyOf(words), new int[words.size()], new boolean[words.size()], List.of());
    }

    private static void requireVector(WordVectors v, String w) {
        if (!v.contains(w) && !v.hasSubwords()) {
            throw new NoSuchElementException("\"" + w + "\" is not in the vocabulary of " + v.size() + " words");
        }
    }
}
