package org.embed4j.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Splits a line into words, Unicode-aware: a word is a maximal run of letters, digits and combining
 * marks (any script, code points rather than UTF-16 units, so supplementary characters stay whole);
 * an apostrophe (' or U+2019) is kept when it sits between two such characters ("don't", "o'clock"), and so is
 * an underscore, the joiner of phrases ("new_york", as word2vec's word2phrase and {@link Phrases} write them);
 * everything else (spaces, punctuation, symbols) separates words. With {@code lowercase} the words are
 * lower-cased with {@link Locale#ROOT} (never the JVM's default locale: Turkish dotless i).
 *
 * <p>On text already reduced to [a-z0-9 ] this gives exactly word2vec's whitespace split, which the
 * side-by-side benchmark relies on. Immutable and thread-safe.
 */
public final class Tokenizer {
    private final boolean lowercase;

    public Tokenizer(boolean lowercase) {
        this.lowercase = lowercase;
    }

    public boolean lowercase() {
        return lowercase;
    }

    /** The words of {@code line}, in order. */
    public List<String> tokenize(CharSequence line) {
        List<String> out = new ArrayList<>();
        tokenize(line, out::add);
        return out;
    }

    /** Calls {@code sink} with each word of {@code line}, in order (no list is built). */
    public void tokenize(CharSequence line, Consumer<String> sink) {
        int n = line.length();
        int i = 0;
        while (i < n) {
            int cp = Character.codePointAt(line, i);
            if (!isWordChar(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            int end = i;
            while (i < n) {
                cp = Character.codePointAt(line, i);
                int len = Character.charCount(cp);
                if (isWordChar(cp)) {
                    i += len;
                    end = i;
                } else if (isJoiner(cp) && i + len < n && isWordChar(Character.codePointAt(line, i + len))) {
                    i += len; // inside a word: keep it
                } else {
                    break;
                }
            }
            String word = line.subSequence(start, end).toString();
            sink.accept(lowercase ? word.toLowerCase(Locale.ROOT) : word);
        }
    }

    /** Receives one word as {@code w[from, to)}; the array is the caller's (or a fresh one), not to be kept. */
    @FunctionalInterface
    public interface WordChars {
        void accept(char[] w, int from, int to);
    }

    /**
     * The words of {@code buf[from, to)}, in order, as ranges: the same words as {@link #tokenize(CharSequence,
     * Consumer)} without a String per word. With {@code lowercase}, an ASCII word is lower-cased in place in
     * {@code buf} (so the caller's buffer changes); a word with other characters goes through
     * {@link String#toLowerCase(Locale)} with {@link Locale#ROOT}, as the String form does.
     */
    public void tokenize(char[] buf, int from, int to, WordChars sink) {
        int i = from;
        while (i < to) {
            int cp = Character.codePointAt(buf, i, to);
            if (!isWordChar(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            int end = i;
            boolean ascii = true;
            while (i < to) {
                cp = Character.codePointAt(buf, i, to);
                int len = Character.charCount(cp);
                if (isWordChar(cp)) {
                    ascii &= cp < 128;
                    i += len;
                    end = i;
                } else if (isJoiner(cp) && i + len < to && isWordChar(Character.codePointAt(buf, i + len, to))) {
                    ascii &= cp < 128;
                    i += len; // inside a word: keep it
                } else {
                    break;
                }
            }
            if (!lowercase) {
                sink.accept(buf, start, end);
            } else if (ascii) {
                for (int k = start; k < end; k++) {
                    char c = buf[k];
                    if (c >= 'A' && c <= 'Z') {
                        buf[k] = (char) (c + ('a' - 'A'));
                    }
                }
                sink.accept(buf, start, end);
            } else {
                char[] w = new String(buf, start, end - start)
                        .toLowerCase(Locale.ROOT)
                        .toCharArray();
                sink.accept(w, 0, w.length);
            }
        }
    }

    private static boolean isJoiner(int cp) {
        return cp == '\'' || cp == '\u2019' || cp == '_';
    }

    private static boolean isWordChar(int cp) {
        if (cp < 128) { // fast path for ASCII
            return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
        }
        if (Character.isLetterOrDigit(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    @Override
    public String toString() {
        return "Tokenizer(lowercase=" + lowercase + ")";
    }
}
