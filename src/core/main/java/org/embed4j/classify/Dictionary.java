package org.embed4j.classify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.embed4j.internal.hash.Fnv1a;
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

    private static final int EOS_HASH = Fnv1a.fastText(EOS);

    private final List<String> words;
    private final WordTable wordIds;
    private final List<String> labels;
    private final Map<String, Integer> labelIds;
    private final long[] labelCounts;
    private final int wordNgrams;
    private final int bucket;
    private final TextFeatures features;
    private final Subwords subwords;
    private final int[][] wordSubwords; // per word: its character n-gram buckets, computed once
    private final int eosId; // -1 when the vocabulary has no end-of-line token

    public Dictionary(List<String> words, List<String> labels, int wordNgrams, int bucket, boolean lowercase) {
        this(words, labels, wordNgrams, bucket, lowercase, 0, 0);
    }

    /** With character n-grams of minn..maxn code points (maxn 0: none), hashed into the same buckets. */
    public Dictionary(
            List<String> words,
            List<String> labels,
            int wordNgrams,
            int bucket,
            boolean lowercase,
            int minn,
            int maxn) {
        this(words, labels, new long[labels.size()], wordNgrams, bucket, lowercase, minn, maxn);
    }

    /** As above, with each label's count in the training data ({@code labelCounts[i]} for {@code labels.get(i)}). */
    public Dictionary(
            List<String> words,
            List<String> labels,
            long[] labelCounts,
            int wordNgrams,
            int bucket,
            boolean lowercase,
            int minn,
            int maxn) {
        if (labelCounts.length != labels.size()) {
            throw new IllegalArgumentException(labelCounts.length + " label counts for " + labels.size() + " labels");
        }
        for (int i = 0; i < labelCounts.length; i++) {
            if (labelCounts[i] < 0) {
                throw new IllegalArgumentException(
                        "label \"" + labels.get(i) + "\" has a negative count " + labelCounts[i]);
            }
        }
        this.labelCounts = labelCounts.clone();
        this.words = List.copyOf(words);
        this.labels = List.copyOf(labels);
        this.wordIds = new WordTable(this.words);
        this.labelIds = index(this.labels, "label");
        this.eosId = wordId(EOS);
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
        return new Dictionary(
                byCount(wordCounts, o.minCount()),
                labels,
                counts,
                o.wordNgrams(),
                o.bucket(),
                o.lowercase(),
                o.minn(),
                o.maxn());
    }

    private static List<String> byCount(Map<String, Long> counts, int minCount) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.removeIf(e -> e.getValue() < minCount);
        entries.sort(Map.Entry.<String, Long>comparingByValue(Collections.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
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
        char[] chars = Objects.requireNonNull(word, "word").toCharArray();
        return wordIds.id(chars, 0, chars.length, Fnv1a.fastText(chars, 0, chars.length));
    }

    /** The input rows of a text (may be empty when no token is known and n-grams are off). */
    public int[] inputRows(String text) {
        TextRows rows = new TextRows();
        inputRows(text, rows);
        return Arrays.copyOf(rows.ids, rows.count);
    }

    /**
     * The input rows of a text into {@code out} ({@code out.ids[0 .. out.count)}), reusing its buffers: after a
     * thread's first few texts this allocates only the lower-cased copy of the text (when the model lower-cases
     * and the text has capitals) and the character n-grams of an out-of-vocabulary token. Tokens stay char ranges
     * of the text: each is hashed once, from its chars ({@link Fnv1a#fastText(char[], int, int)}), and that hash both
     * finds the word and feeds the word n-grams.
     */
    void inputRows(String text, TextRows out) {
        out.count = 0;
        String normalized = features.normalize(text);
        int length = normalized.length();
        char[] s = out.chars(length);
        normalized.getChars(0, length, s, 0);
        TextFeatures.Spans spans = out.spans;
        features.spans(s, length, spans);
        int n = spans.count;
        if (n == 0) {
            return; // nothing to classify; fastText skips such lines too
        }
        // all hashes first, then all lookups: the lookups then depend on nothing but their hash, so the CPU overlaps
        // their cache misses (the table is mostly out of cache in a server) instead of waiting for each in turn
        int[] hashes = out.hashes(n + 1); // the tokens, then EOS
        for (int i = 0; i < n; i++) {
            hashes[i] = Fnv1a.fastText(s, spans.start(i), spans.end(i));
        }
        // words, each followed by its character n-grams, then the word n-grams: fastText's order
        for (int i = 0; i < n; i++) {
            int id = wordIds.id(s, spans.start(i), spans.end(i), hashes[i]);
            if (id >= 0) {
                out.add(id);
            }
            if (subwords.enabled()) {
                // unknown words contribute their n-grams too (that is what char n-grams are for)
                int[] sub = id >= 0
                        ? wordSubwords[id]
                        : subwords.ngramBuckets(new String(s, spans.start(i), spans.end(i) - spans.start(i)));
                for (int b : sub) {
                    out.add(words.size() + b);
                }
            }
        }
        // a text's tokens never equal EOS (its '<', '/' and '>' are tokens of their own), so EOS is added here; it has
        // no character n-grams in fastText
        if (eosId >= 0) {
            out.add(eosId);
        }
        if (wordNgrams > 1) {
            hashes[n] = EOS_HASH;
            for (int i = 0; i <= n; i++) {
                // fastText keeps the 32-bit hashes in int32 and widens them to uint64 with sign extension;
                // doing the same puts every n-gram in the bucket fastText would use
                long h = hashes[i];
                for (int j = i + 1; j <= n && j < i + wordNgrams; j++) {
                    h = h * 116049371L + hashes[j];
                    out.add(words.size() + (int) Long.remainderUnsigned(h, bucket));
                }
            }
        }
    }

    /**
     * The input rows of a text with the term each stands for, in {@link #inputRows(String)}'s order (a test holds the
     * two to the same rows): a word, a character n-gram of a word ("&lt;wo"), {@link #EOS}, or a word n-gram (its
     * tokens joined by spaces, "&lt;/s&gt;" for the end of the line). For explanations, not the hot path: it builds
     * strings.
     */
    public Terms inputTerms(String text) {
        String normalized = features.normalize(text);
        char[] s = normalized.toCharArray();
        TextFeatures.Spans spans = new TextFeatures.Spans();
        features.spans(s, s.length, spans);
        int n = spans.count;
        List<String> names = new ArrayList<>();
        TextRows rows = new TextRows();
        if (n == 0) {
            return new Terms(new int[0], List.of());
        }
        String[] tokens = new String[n + 1];
        int[] hashes = new int[n + 1];
        for (int i = 0; i < n; i++) {
            tokens[i] = new String(s, spans.start(i), spans.end(i) - spans.start(i));
            hashes[i] = Fnv1a.fastText(s, spans.start(i), spans.end(i));
        }
        for (int i = 0; i < n; i++) {
            int id = wordIds.id(s, spans.start(i), spans.end(i), hashes[i]);
            if (id >= 0) {
                rows.add(id);
                names.add(tokens[i]);
            }
            if (subwords.enabled()) {
                int[] sub = id >= 0 ? wordSubwords[id] : subwords.ngramBuckets(tokens[i]);
                List<String> grams = subwords.ngrams(tokens[i]);
                for (int k = 0; k < sub.length; k++) {
                    rows.add(words.size() + sub[k]);
                    names.add(grams.get(k));
                }
            }
        }
        if (eosId >= 0) {
            rows.add(eosId);
            names.add(EOS);
        }
        if (wordNgrams > 1) {
            tokens[n] = EOS;
            hashes[n] = EOS_HASH;
            for (int i = 0; i <= n; i++) {
                long h = hashes[i];
                for (int j = i + 1; j <= n && j < i + wordNgrams; j++) {
                    h = h * 116049371L + hashes[j];
                    rows.add(words.size() + (int) Long.remainderUnsigned(h, bucket));
                    names.add(String.join(" ", Arrays.asList(tokens).subList(i, j + 1)));
                }
            }
        }
        return new Terms(Arrays.copyOf(rows.ids, rows.count), List.copyOf(names));
    }

    /** A text's input rows and, for each, the term it stands for. */
    public record Terms(int[] rows, List<String> names) {}

    /** The input rows of one text and the buffers that computed them, reused by one thread from text to text. */
    static final class TextRows {
        int[] ids = new int[64];
        int count;
        private final TextFeatures.Spans spans = new TextFeatures.Spans();
        private int[] hashes = new int[64];
        private char[] chars = new char[256];

        void add(int row) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, ids.length * 2);
            }
            ids[count++] = row;
        }

        char[] chars(int n) {
            if (chars.length < n) {
                chars = new char[Math.max(n, chars.length * 2)];
            }
            return chars;
        }

        int[] hashes(int n) {
            if (hashes.length < n) {
                hashes = new int[Math.max(n, hashes.length * 2)];
            }
            return hashes;
        }
    }

    /**
     * Word → id without a string per lookup: open addressing over the words' FNV-1a hashes (which the n-grams need
     * anyway), probing linearly. A served vocabulary is mostly out of cache, so a lookup is built to touch one cache
     * line, its slot: the slot holds the hash, the id and the word itself when it is short (up to 7 chars, each below
     * U+0100: most words), packed into a long; a longer word's slot says where its chars are, all such words' chars
     * side by side in one array (a String's chars would be two more lines away: the String, then its array).
     * 16 bytes a slot, at most half of them used: less than a HashMap's entries and boxed ids.
     */
    private static final class WordTable {
        private static final long LONG_WORD = 0x80; // low byte of the key of a word that is not packed
        private final long[] slots; // per slot: hash << 32 | id + 1 (0: empty), then the key
        private final char[] chars; // the chars of the words that are not packed
        private final int shift;

        WordTable(List<String> words) {
            if (words.size() > 1 << 26) { // fastText stops at 30M words; 2^26 keeps the slots in one array
                throw new IllegalArgumentException(words.size() + " words are more than a vocabulary may hold (2^26)");
            }
            int capacity = Integer.highestOneBit(Math.max(2, words.size()) * 2 - 1) << 1; // >= 2 x words, a power of 2
            this.slots = new long[capacity * 2];
            this.shift = 32 - Integer.numberOfTrailingZeros(capacity);
            long longChars = 0;
            for (String w : words) {
                if (w.length() >= 1 << 24) { // the key of a word that is not packed has 24 bits for its length
                    throw new IllegalArgumentException("a word of " + w.length() + " chars; at most 16,777,215");
                }
                longChars += packed(w.toCharArray(), 0, w.length()) == -1 ? w.length() : 0;
            }
            if (longChars > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("the " + words.size() + " words have " + longChars
                        + " chars in all, more than one array holds");
            }
            this.chars = new char[(int) longChars];
            int offset = 0;
            for (int id = 0; id < words.size(); id++) {
                char[] w = words.get(id).toCharArray();
                int hash = Fnv1a.fastText(w, 0, w.length);
                if (id(w, 0, w.length, hash) >= 0) {
                    throw new IllegalArgumentException("duplicate word \"" + words.get(id) + "\"");
                }
                long key = packed(w, 0, w.length);
                if (key == -1) {
                    System.arraycopy(w, 0, chars, offset, w.length);
                    key = (long) offset << 32 | (long) w.length << 8 | LONG_WORD;
                    offset += w.length;
                }
                int slot = home(hash);
                while (slots[2 * slot] != 0) {
                    slot = (slot + 1) & (capacity - 1);
                }
                slots[2 * slot] = (long) hash << 32 | (id + 1);
                slots[2 * slot + 1] = key;
            }
        }

        /** The id of the word {@code s[start, end)} whose {@link Fnv1a#fastText(char[], int, int)} is {@code hash}, or -1. */
        int id(char[] s, int start, int end, int hash) {
            long key = packed(s, start, end);
            int mask = slots.length / 2 - 1;
            for (int slot = home(hash); ; slot = (slot + 1) & mask) {
                long head = slots[2 * slot];
                if (head == 0) {
                    return -1;
                }
                if ((int) (head >>> 32) == hash && sameWord(slots[2 * slot + 1], key, s, start, end)) {
                    return (int) head - 1;
                }
            }
        }

        private boolean sameWord(long stored, long key, char[] s, int start, int end) {
            if (key != -1 || (stored & 0xFF) != LONG_WORD) {
                return stored == key; // a packed word equals only a packed token
            }
            int offset = (int) (stored >>> 32);
            int length = (int) (stored >>> 8) & 0xFFFFFF;
            return length == end - start && Arrays.equals(chars, offset, offset + length, s, start, end);
        }

        /** len | c0 << 8 | c1 << 16 ... for up to 7 chars below U+0100, else -1 (low byte 0xFF: no key has it). */
        private static long packed(char[] s, int start, int end) {
            int len = end - start;
            if (len > 7) {
                return -1;
            }
            long key = len;
            for (int i = 0; i < len; i++) {
                char c = s[start + i];
                if (c > 0xFF) {
                    return -1;
                }
                key |= (long) c << (8 * (i + 1));
            }
            return key;
        }

        private int home(int hash) {
            // FNV-1a's low bits are weak for short keys: multiplicative (Fibonacci) hashing spreads them
            return (hash * 0x9E3779B9) >>> shift;
        }
    }
}
