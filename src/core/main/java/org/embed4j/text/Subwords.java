package org.embed4j.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.embed4j.internal.hash.Fnv1a;

/**
 * fastText's character n-gram subwords: the n-grams (n = minn..maxn Unicode code points) of
 * {@code "<" + word + ">"}, each hashed with fastText's 32-bit FNV-1a over its UTF-8 bytes into one of
 * {@code bucket} rows.
 *
 * <p>Must match fastText's {@code Dictionary::computeSubwords} and {@code Dictionary::hash} exactly, so
 * that bucket rows of a model trained here line up with fastText's: n-grams are cut on UTF-8 code point
 * boundaries (continuation bytes 10xxxxxx never start an n-gram), the single-character n-grams {@code "<"} and
 * {@code ">"} are left out, and every byte is XORed in sign-extended ({@code int8_t}), fastText's quirk for
 * bytes &ge; 0x80. The word's own row is not part of the result (the caller adds it).
 *
 * <p>Immutable and thread-safe. {@code maxn == 0} turns subwords off: every word has no n-grams.
 */
public final class Subwords {
    /** The longest n-gram allowed (fastText uses 6; the classifier options allow up to 20 as well). */
    public static final int MAX_N = 20;

    private final int minn;
    private final int maxn;
    private final int bucket;

    /**
     * @param minn   shortest n-gram in code points (fastText default 3)
     * @param maxn   longest n-gram in code points; 0 turns subwords off (fastText default 6)
     * @param bucket number of hash rows (fastText default 2,000,000)
     */
    public Subwords(int minn, int maxn, int bucket) {
        if (minn < 0 || maxn < 0) {
            throw new IllegalArgumentException("minn and maxn must be >= 0, got minn=" + minn + " maxn=" + maxn);
        }
        if (maxn > 0) {
            if (maxn > MAX_N) { // a word of L code points has ~L*(maxn-minn) n-grams; also bounds a model file's value
                throw new IllegalArgumentException("maxn must be <= " + MAX_N + ", got " + maxn);
            }
            if (minn < 1 || minn > maxn) {
                throw new IllegalArgumentException(
                        "need 1 <= minn <= maxn when subwords are on, got minn=" + minn + " maxn=" + maxn);
            }
            if (bucket <= 0) {
                throw new IllegalArgumentException(
                        "bucket must be > 0 when subwords are on (maxn=" + maxn + "), got " + bucket);
            }
        }
        this.minn = minn;
        this.maxn = maxn;
        this.bucket = bucket;
    }

    public int minn() {
        return minn;
    }

    public int maxn() {
        return maxn;
    }

    public int bucket() {
        return bucket;
    }

    /** True when n-grams are produced at all ({@code maxn > 0}). */
    public boolean enabled() {
        return maxn > 0;
    }

    /**
     * Bucket ids in [0,bucket) of the character n-grams (lengths minn..maxn) of {@code "<" + word + ">"}, fastText's
     * FNV-1a 32-bit hash over the UTF-8 bytes, n-grams counted in Unicode code points like fastText.
     * In fastText's order (by start position, then length); repeated n-grams are repeated.
     */
    public int[] ngramBuckets(String word) {
        if (word == null) {
            throw new IllegalArgumentException("word must not be null");
        }
        if (maxn == 0) {
            return new int[0];
        }
        byte[] b = ("<" + word + ">").getBytes(StandardCharsets.UTF_8);
        int[] out = new int[16];
        int count = 0;
        for (int i = 0; i < b.length; i++) {
            if (isContinuation(b[i])) {
                continue;
            }
            int h = Fnv1a.BASIS_32;
            int j = i;
            for (int n = 1; j < b.length && n <= maxn; n++) {
                h = Fnv1a.fastTextStep(h, b[j++]);
                while (j < b.length && isContinuation(b[j])) {
                    h = Fnv1a.fastTextStep(h, b[j++]);
                }
                // fastText skips the lone "<" at the start and the lone ">" at the end
                if (n >= minn && !(n == 1 && (i == 0 || j == b.length))) {
                    if (count == out.length) {
                        out = Arrays.copyOf(out, count * 2);
                    }
                    out[count++] = (int) (Integer.toUnsignedLong(h) % bucket);
                }
            }
        }
        return Arrays.copyOf(out, count);
    }

    /**
     * The character n-grams themselves, in the order of {@link #ngramBuckets} (one string per bucket id it returns):
     * what a bucket stands for when a prediction is explained.
     */
    public java.util.List<String> ngrams(String word) {
        if (word == null) {
            throw new IllegalArgumentException("word must not be null");
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        if (maxn == 0) {
            return out;
        }
        String w = "<" + word + ">";
        int points = w.codePointCount(0, w.length());
        for (int i = 0; i < points; i++) {
            for (int n = 1; i + n <= points && n <= maxn; n++) {
                boolean loneBracket = n == 1 && (i == 0 || i + n == points);
                if (n >= minn && !loneBracket) {
                    int from = w.offsetByCodePoints(0, i);
                    out.add(w.substring(from, w.offsetByCodePoints(from, n)));
                }
            }
        }
        return out;
    }

    /** fastText's 32-bit FNV-1a of a string's UTF-8 bytes (bytes sign-extended, as fastText does). */
    public static int hash(String s) {
        return Fnv1a.fastText(s);
    }

    private static boolean isContinuation(byte x) {
        return (x & 0xC0) == 0x80;
    }

    @Override
    public String toString() {
        return "Subwords(minn=" + minn + ", maxn=" + maxn + ", bucket=" + bucket + ")";
    }
}
