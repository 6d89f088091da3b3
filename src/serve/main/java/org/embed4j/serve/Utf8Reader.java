package org.embed4j.serve;

import java.io.Reader;
import java.nio.charset.MalformedInputException;

/**
 * Strict UTF-8 decoding of a request body ({@link BodyBytes}) as a {@link Reader}, for the request parser: no buffer
 * of its own and no decoder object (a sequence may straddle two segments), so that a small body costs no allocation beyond its strings. Refuses what RFC 3629 forbids
 * ({@link MalformedInputException}): stray continuation bytes, overlong forms, encoded surrogates, code points
 * past U+10FFFF and sequences cut short. Not thread-safe (one per request).
 */
final class Utf8Reader extends Reader {
    private final BodyBytes bytes;
    private final int end;
    private int at;
    private char pendingLow; // the second half of a surrogate pair that did not fit, or 0

    Utf8Reader(BodyBytes bytes) {
        this.bytes = bytes;
        this.end = bytes.length();
    }

    @Override
    public int read(char[] out, int off, int len) throws MalformedInputException {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        if (pendingLow != 0) {
            out[off + n++] = pendingLow;
            pendingLow = 0;
        }
        while (n < len && at < end) {
            // a run of ASCII within one segment, then one multi-byte sequence (which may cross into the next)
            byte[] seg = bytes.segmentOf(at);
            int from = at & (BodyBytes.SEGMENT - 1);
            int stop = from + Math.min(Math.min(len - n, end - at), seg.length - from);
            int i = from;
            while (i < stop && seg[i] >= 0) {
                out[off + n++] = (char) seg[i++];
            }
            at += i - from;
            if (i == stop) {
                continue; // the segment, the body or the room in out ended
            }
            int b = seg[i];
            int cp = codePoint(b & 0xFF);
            if (cp < 0x10000) {
                out[off + n++] = (char) cp;
            } else {
                out[off + n++] = Character.highSurrogate(cp);
                char low = Character.lowSurrogate(cp);
                if (n < len) {
                    out[off + n++] = low;
                } else {
                    pendingLow = low;
                }
            }
        }
        return n == 0 ? -1 : n;
    }

    /** Decodes the multi-byte sequence at {@code at} (lead byte {@code lead}) and moves past it. */
    private int codePoint(int lead) throws MalformedInputException {
        int extra;
        int min;
        int cp;
        if (lead >= 0xC2 && lead <= 0xDF) {
            extra = 1;
            min = 0x80;
            cp = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            extra = 2;
            min = 0x800;
            cp = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            extra = 3;
            min = 0x10000;
            cp = lead & 0x07;
        } else {
            throw new MalformedInputException(1);
        }
        if (at + extra >= end) {
            throw new MalformedInputException(end - at);
        }
        for (int i = 1; i <= extra; i++) {
            int c = bytes.at(at + i) & 0xFF;
            if ((c & 0xC0) != 0x80) {
                throw new MalformedInputException(i);
            }
            cp = (cp << 6) | (c & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw new MalformedInputException(extra + 1);
        }
        at += extra + 1;
        return cp;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
