package org.embed4j.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a text into the tokens the classifier sees, the way fastText's pre-tokenised inputs look:
 * whitespace-separated words, optionally lower-cased, with punctuation split off as tokens of its own
 * ("great!" -> "great", "!"), apostrophes inside words kept ("don't"). Punctuation carries sentiment,
 * so unlike the word2vec tokenizer it is not dropped. Immutable and thread-safe.
 */
public final class TextFeatures {
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
        String s = lowercase ? text.toLowerCase(Locale.ROOT) : text;
        int n = s.length();
        int i = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            if (isWordChar(cp)) {
                int start = i;
                while (i < n) {
                    int c = s.codePointAt(i);
                    if (isWordChar(c)) {
                        i += Character.charCount(c);
                    } else if ((c == '\'' || c == '\u2019') && i > start && i + 1 < n && isWordChar(s.codePointAt(i + 1))) {
                        i += 1;
                    } else {
                        break;
                    }
                }
                out.add(s.substring(start, i));
            } else {
                int len = Character.charCount(cp);
                out.add(s.substring(i, i + len));
                i += len;
            }
        }
    }

    private static boolean isWordChar(int cp) {
        return Character.isLetterOrDigit(cp) || Character.getType(cp) == Character.NON_SPACING_MARK
                || cp == '-' || cp == '_';
    }
}
