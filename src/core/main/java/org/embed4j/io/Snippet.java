package org.embed4j.io;

/**
 * Text from a file quoted in an error message: cut to {@link #MAX} characters (with "..." when cut) and with its
 * control characters shown as {@code \xNN}, so that every message stays one line whatever the file holds (a lone
 * carriage return, a tab, a NUL). Stateless.
 */
public final class Snippet {
    /** Longest snippet, in characters, before "...". */
    public static final int MAX = 60;

    private Snippet() {}

    /** {@code s} ready to quote in a one-line message. */
    public static String of(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() <= MAX ? s : s.substring(0, MAX);
        StringBuilder out = null;
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(cut.length() + 8).append(cut, 0, i);
                }
                out.append(String.format("\\x%02x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        String q = out == null ? cut : out.toString();
        return s.length() <= MAX ? q : q + "...";
    }
}
