package org.embed4j.classify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns a text into the tokens the classifier sees, the way fastText's pre-tokenised inputs look:
 * whitespace-separated words, optionally lower-cased, with punctuation split off as tokens of its own
 * ("great!" -> "great", "!"), apostrophes inside words kept ("don't"). Punctuation carries sentiment,
 * so unlike the word2vec tokenizer it is not dropped. Immutable and thread-safe.
 *
 * <p>The hot path ({@link #spans}) reports tokens as char ranges of the normalised text instead of strings, so that
 * the dictionary can look words up and hash them without a substring per token; ASCII characters are classified
 * through a table built from the same {@link Character} predicates, so both paths cut the same tokens.
 */
public final class TextFeatures {
    private static final byte OTHER = 0; // a token of its own (punctuation, symbols, controls)
    private static final byte SPACE = 1; // separates tokens
    private static final byte WORD = 2; // part of a word
    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < ASCII.length; c++) {
            ASCII[c] = isSpaceSlow(c) ? SPACE : isWordCharSlow(c) ? WORD : OTHER;
        }
    }

    private final boolean lowercase;

    public TextFeatures(boolean lowercase) {
        this.lowercase = lowercase;
    }

    public List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        tokens(text, out);
        return out;
    }

    /** Appends the tokens of {@code text} to {@code out}. */
    public void tokens(String text, List<String> out) {
        char[] chars = normalize(text).toCharArray();
        Spans spans = new Spans();
        spans(chars, chars.length, spans);
        for (int t = 0; t < spans.count; t++) {
            out.add(new String(chars, spans.start(t), spans.end(t) - spans.start(t)));
        }
    }

    /** The text as it is tokenised: lower-cased (root locale) when this tokenizer lower-cases, else itself. */
    String normalize(String text) {
        return lowercase ? text.toLowerCase(Locale.ROOT) : text;
    }

    /**
     * The tokens of a {@link #normalize normalised} text, {@code text[0, length)}, as char ranges into {@code out}
     * (cleared first). A char array rather than the String: the scan, the hash and the word lookup that follow all
     * read chars, and an array spares each read the String's coder check.
     */
    void spans(char[] text, int length, Spans out) {
        out.count = 0;
        int n = length;
        int i = 0;
        while (i < n) {
            char ch = text[i];
            int cp = Character.isHighSurrogate(ch) ? Character.codePointAt(text, i, n) : ch;
            int kind = kind(cp);
            if (kind == SPACE) {
                i += Character.charCount(cp);
                continue;
            }
            if (kind == WORD) {
                int start = i;
                while (i < n) {
                    char c = text[i];
                    if (c < 0x80) {
                        if (ASCII[c] == WORD) {
                            i++;
                            continue;
                        }
                        if (c == '\'' && i > start && i + 1 < n && isWordChar(Character.codePointAt(text, i + 1, n))) {
                            i++;
                            continue;
                        }
                        break;
                    }
                    int cp2 = Character.codePointAt(text, i, n);
                    if (isWordChar(cp2)) {
                        i += Character.charCount(cp2);
                    } else if (c == '\u2019'
                            && i > start
                            && i + 1 < n
                            && isWordChar(Character.codePointAt(text, i + 1, n))) {
                        i++;
                    } else {
                        break;
                    }
                }
                out.add(start, i);
            } else {
                int len = Character.charCount(cp);
                out.add(i, i + len);
                i += len;
            }
        }
    }

    private static int kind(int cp) {
        return cp < 0x80 ? ASCII[cp] : isSpaceSlow(cp) ? SPACE : isWordCharSlow(cp) ? WORD : OTHER;
    }

    private static boolean isWordChar(int cp) {
        return cp < 0x80 ? ASCII[cp] == WORD : isWordCharSlow(cp);
    }

    private static boolean isSpaceSlow(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    private static boolean isWordCharSlow(int cp) {
        return Character.isLetterOrDigit(cp)
                || Character.getType(cp) == Character.NON_SPACING_MARK
                || cp == '-'
                || cp == '_';
    }

    /** Token t is chars {@code [start(t), end(t))} of the text; the buffer is reused from text to text by one thread. */
    static final class Spans {
        private int[] bounds = new int[128];
        int count;

        int start(int t) {
            return bounds[2 * t];
        }

        int end(int t) {
            return bounds[2 * t + 1];
        }

        private void add(int start, int end) {
            if (2 * count + 2 > bounds.length) {
                bounds = Arrays.copyOf(bounds, bounds.length * 2);
            }
            bounds[2 * count] = start;
            bounds[2 * count + 1] = end;
            count++;
        }
    }
}
