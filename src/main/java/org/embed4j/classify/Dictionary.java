package org.embed4j.classify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.classify.data.LabeledText;
import org.embed4j.text.Subwords;

/**
 * The classifier's vocabulary and label set, and the mapping of a text to input rows:
 * word ids (words seen at least {@code minCount} times in training, most frequent first) followed by
 * hashed word n-grams of 2..wordNgrams tokens (the text's tokens and a final {@link #EOS}, as fastText reads a line) in rows {@code [words, words + bucket)}, computed like
 * fastText: FNV-1a hash of each token (out-of-vocabulary tokens too), sign-extended to 64 bits and combined as h = h·116049371 + h_j,
 * then taken modulo bucket; optionally fastText's character n-grams of every token ({@link Subwords}, same buckets).
 * Labels are ordered by frequency (then name), with their training counts (the hs tree and the ns sampler are built
 * from them; all 0 when not recorded, as in models of format version 1). Immutable and thread-safe.
 */
public final class Dictionary {
    /** fastText's end-of-line token, appended to every text: its row acts as a learnt per-class bias. */
    public static final String EOS = "</s>";

    private final List<String> words;
    private final Map<String, Integer> wordIds;
    private final List<String> labels;
    private final Map<String, Integer> labelIds;
    private final long[] labelCounts;
    private final int wordNgrams;
    private final int bucket;
    private final TextFeatures features;
    private final Subwords subwords;
    private final int[][] wordSubwords; // per word: its character n-gram buckets, computed once

    public Dictionary(List<String> words, List<String> labels, int wordNgrams, int bucket, boolean lowercase) {
        this(words, labels, wordNgrams, bucket, lowercase, 0, 0);
    }

    /** With character n-grams of minn..maxn code points (maxn 0: none), hashed into the same buckets. */
    public Dictionary(List<String> words, List<String> labels, int wordNgrams, int bucket, boolean lowercase,
                      int minn, int maxn) {
        this(words, labels, new long[labels.size()], wordNgrams, bucket, lowercase, minn, maxn);
    }

    /** As above, with each label's count in the training data ({@code labelCounts[i]} for {@code labels.get(i)}). */
    public Dictionary(List<String> words, List<String> labels, long[] labelCounts, int wordNgrams, int bucket,
                      boolean lowercase, int minn, int maxn) {
        if (labelCounts.length != labels.size()) {
            throw new IllegalArgumentException(labelCounts.length + " label counts for " + labels.size() + " labels");
        }
        for (int i = 0; i < labelCounts.length; i++) {
            if (labelCounts[i] < 0) {
                throw new IllegalArgumentException("label \"" + labels.get(i) + "\" has a negative count " + labelCounts[i]);
            }
        }
        this.labelCounts = labelCounts.clone();
        this.words = List.copyOf(words);
        this.labels = List.copyOf(labels);
        this.wordIds = index(this.words, "word");
        this.labelIds = index(this.labels, "label");
        this.wordNgrams = wordNgrams;
        this.bucket = wordNgrams > 1 || maxn > 0 ? bucket : 0;
        if ((long) this.words.size() + this.bucket > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(this.words.size() + " words and " + this.bucket
                    + " n-gram buckets are more input rows than fit an int");
        }
        this.features = new TextFeatures(lowercase);
        this.subwords = new Subwords(minn, maxn, this.bucket);
        this.wordSubwords = new int[this.words.size()][];
        if (subwords.enabled()) {
            for (int w = 0; w < wordSubwords.length; w++) {
                // fastText gives the end-of-line token no subwords
                wordSubwords[w] = EOS.equals(this.words.get(w)) ? new int[0] : subwords.ngramBuckets(this.words.get(w));
            }
        }
    }

    /** Counts words and labels of the training examples. */
    public static Dictionary build(List<LabeledText> train, ClassifierOptions o) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        TextFeatures f = new TextFeatures(o.lowercase());
        Map<String, Long> wordCounts = new HashMap<>();
        Map<String, Long> labelCounts = new HashMap<>();
        for (LabeledText e : train) {
            for (String t : f.tokens(e.text())) {
                wordCounts.merge(t, 1L, Long::sum);
            }
            wordCounts.merge(EOS, 1L, Long::sum);
            for (String l : e.labels()) {
                labelCounts.merge(l, 1L, Long::sum);
            }
        }
        List<String> labels = byCount(labelCounts, 1);
        long[] counts = new long[labels.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = labelCounts.get(labels.get(i));
        }
        return new Dictionary(byCount(wordCounts, o.minCount()), labels, counts, o.wordNgrams(), o.bucket(),
                o.lowercase(), o.minn(), o.maxn());
    }

    private static List<String> byCount(Map<String, Long> counts, int minCount) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.removeIf(e -> e.getValue() < minCount);
        entries.sort(Map.Entry.<String, Long>comparingByValue(Collections.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        List<String> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(e.getKey()));
        return out;
    }

    private static Map<String, Integer> index(List<String> items, String what) {
        Map<String, Integer> ids = new HashMap<>(items.size() * 2);
        for (int i = 0; i < items.size(); i++) {
            if (ids.put(items.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate " + what + " \"" + items.get(i) + "\"");
            }
        }
        return ids;
    }

    public List<String> words() {
        return words;
    }

    public List<String> labels() {
        return labels;
    }

    /** How often each label occurred in the training data, in {@link #labels()} order (all 0: not recorded). */
    public long[] labelCounts() {
        return labelCounts.clone();
    }

    public int wordNgrams() {
        return wordNgrams;
    }

    public int bucket() {
        return bucket;
    }

    public int minn() {
        return subwords.minn();
    }

    public int maxn() {
        return subwords.maxn();
    }

    /** Input rows: words plus n-gram buckets. */
    public int inputRows() {
        return words.size() + bucket;
    }

    /** The label's id, or -1 when the training data never had it. */
    public int labelId(String label) {
        Integer id = labelIds.get(label);
        return id == null ? -1 : id;
    }

    /** Word id or -1. */
    public int wordId(String word) {
        Integer id = wordIds.get(word);
        return id == null ? -1 : id;
    }

    /** The input rows of a text (may be empty when no token is known and n-grams are off). */
    public int[] inputRows(String text) {
        TextRows rows = new TextRows();
        inputRows(text, rows);
        return Arrays.copyOf(rows.ids, rows.count);
    }

    /**
     * The input rows of a text into {@code out} ({@code out.ids[0 .. out.count)}), reusing its buffers: after a
     * thread's first few texts this allocates only what tokenising does (a string per token, its UTF-8 bytes for
     * the n-gram hash, and the character n-grams of an out-of-vocabulary token).
     */
    void inputRows(String text, TextRows out) {
        List<String> tokens = out.tokens;
        tokens.clear();
        out.count = 0;
        features.tokens(text, tokens);
        if (tokens.isEmpty()) {
            return; // nothing to classify; fastText skips such lines too
        }
        tokens.add(EOS);
        int[] hashes = wordNgrams > 1 ? out.hashes(tokens.size()) : null;
        // words, each followed by its character n-grams, then the word n-grams: fastText's order
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            int id = wordId(t);
            if (id >= 0) {
                out.add(id);
            }
            if (subwords.enabled()) {
                // unknown words contribute their n-grams too (that is what char n-grams are for); EOS has none
                int[] sub = id >= 0 ? wordSubwords[id] : EOS.equals(t) ? null : subwords.ngramBuckets(t);
                if (sub != null) {
                    for (int b : sub) {
                        out.add(words.size() + b);
                    }
                }
            }
            if (hashes != null) {
                hashes[i] = fnv1a(t);
            }
        }
        if (hashes != null) {
            for (int i = 0; i < tokens.size(); i++) {
                // fastText keeps the 32-bit hashes in int32 and widens them to uint64 with sign extension;
                // doing the same puts every n-gram in the bucket fastText would use
                long h = hashes[i];
                for (int j = i + 1; j < tokens.size() && j < i + wordNgrams; j++) {
                    h = h * 116049371L + hashes[j];
                    out.add(words.size() + (int) Long.remainderUnsigned(h, bucket));
                }
            }
        }
        tokens.clear(); // do not keep the text's strings reachable from the thread
    }

    /** The input rows of one text and the buffers that computed them, reused by one thread from text to text. */
    static final class TextRows {
        int[] ids = new int[64];
        int count;
        private final List<String> tokens = new ArrayList<>();
        private int[] hashes = new int[64];

        void add(int row) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, ids.length * 2);
            }
            ids[count++] = row;
        }

        int[] hashes(int n) {
            if (hashes.length < n) {
                hashes = new int[Math.max(n, hashes.length * 2)];
            }
            return hashes;
        }
    }

    /** 32-bit FNV-1a over the UTF-8 bytes (fastText's word hash). */
    static int fnv1a(String s) {
        int h = 0x811C9DC5;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x01000193;
        }
        return h;
    }
}
