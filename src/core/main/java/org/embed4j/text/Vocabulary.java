package org.embed4j.text;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.io.AtomicFiles;
import org.embed4j.io.Snippet;
import org.embed4j.io.TextLines;

/**
 * Words with their corpus counts, most frequent first (ties: the word's natural string order, so the
 * ids do not depend on hash order), keeping words with count &ge; minCount and at most maxSize of them.
 * Word ids are row numbers: id 0 is the most frequent word (word2vec and fastText write vectors in this
 * order, and evaluation "restricted to the 30,000 most frequent words" relies on it).
 *
 * <p>{@link #count} reads a corpus once. Like word2vec's ReduceVocab it bounds memory: when the table
 * of distinct words passes {@code maxEntries}, words seen at most {@code floor} times are dropped and
 * the floor rises by one (their later counts then start from zero; word2vec has the same trade-off).
 *
 * <p>{@link #write} and {@link #read} use word2vec C's vocabulary file ({@code -save-vocab} / {@code -read-vocab}):
 * one {@code word count} line per word, most frequent first, so a vocabulary can be fixed across runs.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class Vocabulary {
    /** Distinct words held while counting before rare ones are pruned (about 1 GB of heap at most). */
    public static final int DEFAULT_MAX_ENTRIES = 10_000_000;
    /** Smallest plain-text corpus that {@link #count(CorpusReader, Tokenizer, long, int, int, int)} splits. */
    public static final long PARALLEL_MIN_BYTES = 4L << 20;

    private final String[] words;
    private final long[] counts;
    private final Map<String, Integer> index;
    // for id(char[], int, int): by String.hashCode, linear probing, a slot holds (hash << 32) | (id + 1), 0 = empty,
    // so that a probe reads one slot (and a miss rarely reaches the characters)
    private final long[] slots;
    private final char[] chars; // the words back to back, word i at [wordStart[i], wordStart[i + 1])
    private final int[] wordStart;
    private final long total;

    private Vocabulary(String[] words, long[] counts) {
        this.words = words;
        this.counts = counts;
        this.index = HashMap.newHashMap(words.length);
        this.slots = new long[Integer.highestOneBit(Math.max(1, words.length)) * 4];
        this.wordStart = new int[words.length + 1];
        long chars = 0;
        for (String w : words) {
            chars += w.length();
        }
        this.chars = new char[Math.toIntExact(chars)];
        long t = 0;
        for (int i = 0; i < words.length; i++) {
            if (index.put(words[i], i) != null) {
                throw new IllegalArgumentException("duplicate word '" + words[i] + "' in vocabulary");
            }
            int h = words[i].hashCode();
            int s = h & (slots.length - 1);
            while (slots[s] != 0) {
                s = (s + 1) & (slots.length - 1);
            }
            slots[s] = ((long) h << 32) | (i + 1);
            words[i].getChars(0, words[i].length(), this.chars, wordStart[i]);
            wordStart[i + 1] = wordStart[i] + words[i].length();
            t += counts[i];
        }
        this.total = t;
    }

    /** A vocabulary from word counts: count &ge; minCount, most frequent first, at most maxSize words. */
    public static Vocabulary of(Map<String, Long> wordCounts, long minCount, int maxSize) {
        return of(wordCounts, minCount, maxSize, false);
    }

    private static Vocabulary of(Map<String, Long> wordCounts, long minCount, int maxSize, boolean allowZero) {
        if (minCount < (allowZero ? 0 : 1)) {
            throw new IllegalArgumentException("minCount must be >= 1, got " + minCount);
        }
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be >= 1, got " + maxSize);
        }
        List<Map.Entry<String, Long>> kept = new ArrayList<>();
        for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
            if (e.getValue() >= minCount) {
                kept.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        kept.sort((a, b) -> a.getValue().equals(b.getValue())
                ? a.getKey().compareTo(b.getKey())
                : Long.compare(b.getValue(), a.getValue()));
        int n = Math.min(maxSize, kept.size());
        String[] w = new String[n];
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            w[i] = kept.get(i).getKey();
            c[i] = kept.get(i).getValue();
        }
        return new Vocabulary(w, c);
    }

    /**
     * A vocabulary in exactly the given order (ids are positions), for one that grows: continued training keeps the
     * old words' ids and appends the new words, so the ids are no longer ordered by count. Counts may be 0 (an old
     * word the new corpus lacks). Words must be distinct.
     */
    public static Vocabulary ofOrdered(List<String> words, long[] counts) {
        if (words.size() != counts.length) {
            throw new IllegalArgumentException(words.size() + " words but " + counts.length + " counts");
        }
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("count of '" + words.get(i) + "' must be >= 0, got " + counts[i]);
            }
        }
        return new Vocabulary(words.toArray(String[]::new), counts.clone());
    }

    /** Counts every word of the corpus (one pass) and builds the vocabulary. */
    public static Vocabulary count(CorpusReader corpus, Tokenizer tokenizer, long minCount, int maxSize) {
        return count(corpus, tokenizer, minCount, maxSize, DEFAULT_MAX_ENTRIES);
    }

    /** As {@link #count(CorpusReader, Tokenizer, long, int)}, pruning rare words past {@code maxEntries}. */
    public static Vocabulary count(
            CorpusReader corpus, Tokenizer tokenizer, long minCount, int maxSize, int maxEntries) {
        return count(corpus, tokenizer, minCount, maxSize, maxEntries, 1);
    }

    /**
     * As {@link #count(CorpusReader, Tokenizer, long, int, int)}, reading a plain-text corpus of at least
     * {@link #PARALLEL_MIN_BYTES} on {@code threads} threads (each counts a byte range, the counts are added). The
     * result is the same as on one thread: when a part holds more than {@code maxEntries} distinct words (pruning
     * would depend on the order of reading), the corpus is counted again on one thread.
     */
    public static Vocabulary count(
            CorpusReader corpus, Tokenizer tokenizer, long minCount, int maxSize, int maxEntries, int threads) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1, got " + maxEntries);
        }
        if (threads > 1 && corpus.splittable() && corpus.byteSize() >= PARALLEL_MIN_BYTES) {
            Map<String, Long> counted = VocabularyParts.count(corpus, tokenizer, maxEntries, threads);
            if (counted != null) {
                return of(counted, minCount, maxSize);
            }
        }
        WordCounter counts = new WordCounter();
        long[] floor = {1};
        Tokenizer.WordChars word = (w, s, e) -> {
            counts.add(w, s, e);
            if (counts.size() > maxEntries) {
                counts.removeAtMost(floor[0]++);
            }
        };
        corpus.forEachLineChars((buf, from, to) -> tokenizer.tokenize(buf, from, to, word));
        return of(counts.toMap(), minCount, maxSize);
    }

    /** The words of this vocabulary with count &ge; minCount, at most maxSize of them (most frequent first). */
    public Vocabulary prune(long minCount, int maxSize) {
        Map<String, Long> m = HashMap.newHashMap(words.length);
        for (int i = 0; i < words.length; i++) {
            m.put(words[i], counts[i]);
        }
        return of(m, minCount, maxSize);
    }

    /**
     * Reads a word2vec C vocabulary file: {@code word count} per line (whitespace between them, UTF-8). word2vec's
     * sentence marker {@code </s>} is skipped (lines are the sentences here). Every word is kept, whatever its
     * count; {@link #prune} applies a min-count. A malformed line, a negative count or a repeated word is an
     * {@link IOException} naming the file and the line.
     */
    public static Vocabulary read(Path path) throws IOException {
        Map<String, Long> m = new HashMap<>();
        try (TextLines r = TextLines.open(path)) {
            String line;
            while ((line = r.next()) != null) {
                long n = r.lineNumber();
                String t = line.strip();
                if (t.isEmpty()) {
                    continue;
                }
                String[] f = t.split("\\s+");
                long c = -1;
                if (f.length == 2) {
                    try {
                        c = Long.parseLong(f[1]);
                    } catch (NumberFormatException e) {
                        c = -1;
                    }
                }
                if (c < 0) {
                    throw new IOException(path + " line " + n + ": expected 'word count' with a count >= 0, got '"
                            + Snippet.of(t) + "'");
                }
                if (f[0].equals("</s>")) {
                    continue;
                }
                if (m.put(f[0], c) != null) {
                    throw new IOException(path + " line " + n + ": word '" + Snippet.of(f[0]) + "' is listed twice");
                }
            }
        }
        if (m.isEmpty()) {
            throw new IOException(path + " holds no words");
        }
        return of(m, 0L, Integer.MAX_VALUE, true);
    }

    /** Writes this vocabulary as word2vec C does (-save-vocab): {@code word count} per line, in id order. */
    public void write(Path path) throws IOException {
        AtomicFiles.write(path, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            for (int i = 0; i < words.length; i++) {
                w.write(words[i]);
                w.write(' ');
                w.write(Long.toString(counts[i]));
                w.write('\n');
            }
            w.flush();
        });
    }

    /** Number of words V. */
    public int size() {
        return words.length;
    }

    /** The id of {@code word}, or -1 when it is not in the vocabulary. */
    public int id(String word) {
        Integer i = index.get(word);
        return i == null ? -1 : i;
    }

    /** The id of the word {@code w[from, to)}, or -1: {@link #id(String)} without making a String. */
    public int id(char[] w, int from, int to) {
        int h = WordCounter.hash(w, from, to);
        int mask = slots.length - 1;
        for (int s = h & mask; ; s = (s + 1) & mask) {
            long slot = slots[s];
            if (slot == 0) {
                return -1;
            }
            if ((int) (slot >>> 32) != h) {
                continue;
            }
            int i = (int) slot - 1;
            int at = wordStart[i], n = wordStart[i + 1] - at;
            if (n == to - from && sameChars(at, w, from, n)) {
                return i;
            }
        }
    }

    private boolean sameChars(int at, char[] w, int from, int n) {
        for (int k = 0; k < n; k++) {
            if (chars[at + k] != w[from + k]) {
                return false;
            }
        }
        return true;
    }

    public String word(int id) {
        return words[id];
    }

    public long count(int id) {
        return counts[id];
    }

    /** Sum of the counts of the kept words (word2vec's train_words). */
    public long totalCount() {
        return total;
    }

    /** The words in id order (unmodifiable). */
    public List<String> words() {
        return Collections.unmodifiableList(Arrays.asList(words));
    }

    /** A copy of the counts in id order. */
    public long[] counts() {
        return counts.clone();
    }

    @Override
    public String toString() {
        return "Vocabulary(" + words.length + " words, " + total + " tokens)";
    }
}
