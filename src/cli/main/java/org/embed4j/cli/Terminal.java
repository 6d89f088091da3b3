package org.embed4j.cli;

/**
 * Text from files (words, labels, paths, messages that quote a file) made safe to print on a terminal: the control
 * characters (all of C0, tab and newline included, DEL and C1), the Unicode line and paragraph separators and the
 * bidirectional marks, overrides and isolates are shown as {@code \xNN} or {@code \\u{NNNN}} escapes, so that a
 * crafted file can neither move the cursor, recolour or retitle the terminal nor reorder or split what is printed
 * around it. Text without such characters prints unchanged. Stateless.
 */
final class Terminal {
    private Terminal() {}

    /** {@code s} with the characters of the class comment escaped; the same instance when there are none. */
    static String escape(String s) {
        if (s == null) {
            return "null";
        }
        int i = 0;
        while (i < s.length() && !unsafe(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!unsafe(c)) {
                out.append(c);
            } else if (c < 0x100) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(String.format("\\u{%04x}", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean unsafe(char c) {
        return c < 0x20
                || (c >= 0x7f && c <= 0x9f)
                || c == '\u2028'
                || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200e'
                || c == '\u200f';
    }
}
