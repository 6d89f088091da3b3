package org.embed4j.io;

import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 for the readers: a byte range is valid when it is well-formed UTF-8 as RFC 3629 defines it (no overlong
 * forms, no surrogates U+D800..U+DFFF, nothing above U+10FFFF). Readers decode words and lines with {@link #decode},
 * which refuses invalid bytes instead of turning them into U+FFFD, so that every format treats a damaged word the
 * same way: an error naming the file and the byte offset ({@link #describe} shows the bytes). Stateless and
 * thread-safe.
 */
public final class Utf8 {
    private Utf8() {}

    /** The index (from {@code off}) of the first byte of the first invalid sequence in b[off, off+len), or -1. */
    public static int firstInvalid(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int n; // continuation bytes
            int min; // smallest code point of this length (overlong check)
            int cp;
            if (c >= 0xc2 && c <= 0xdf) {
                n = 1;
                min = 0x80;
                cp = c & 0x1f;
            } else if (c >= 0xe0 && c <= 0xef) {
                n = 2;
                min = 0x800;
                cp = c & 0x0f;
            } else if (c >= 0xf0 && c <= 0xf4) {
                n = 3;
                min = 0x10000;
                cp = c & 0x07;
            } else {
                return i - off; // a continuation byte first, C0/C1 (always overlong), or F5..FF
            }
            if (i + n >= end) {
                return i - off; // the sequence runs past the range
            }
            for (int k = 1; k <= n; k++) {
                int cc = b[i + k] & 0xff;
                if ((cc & 0xc0) != 0x80) {
                    return i - off;
                }
                cp = (cp << 6) | (cc & 0x3f);
            }
            if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
                return i - off;
            }
            i += n + 1;
        }
        return -1;
    }

    /** b[off, off+len) as a string, or null when it is not valid UTF-8 ({@link #firstInvalid} says where). */
    public static String decode(byte[] b, int off, int len) {
        return firstInvalid(b, off, len) < 0 ? new String(b, off, len, StandardCharsets.UTF_8) : null;
    }

    /**
     * Up to 8 bytes from the first invalid one, in hex ({@code "ff 61 62"}), for a message; what a user needs to
     * find the bytes with a hex viewer.
     */
    public static String describe(byte[] b, int off, int len) {
        int bad = firstInvalid(b, off, len);
        int from = off + Math.max(0, bad);
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < Math.min(off + len, from + 8); i++) {
            sb.append(sb.isEmpty() ? "" : " ").append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
