package org.embed4j.internal.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hashes against the published FNV-1a test vectors (Fowler/Noll/Vo) and fastText's sign-extension quirk. */
class Fnv1aTest {

    @Test
    void fastTextEqualsFnv1aOnAscii() {
        assertEquals(0x811C9DC5, Fnv1a.fastText(""));
        assertEquals(0xE40C292C, Fnv1a.fastText("a"));
        assertEquals(0xBF9CF968, Fnv1a.fastText("foobar"));
        char[] foobar = "xfoobarx".toCharArray();
        assertEquals(0xBF9CF968, Fnv1a.fastText(foobar, 1, 7));
    }

    @Test
    void fastTextSignExtendsBytesFromU80() {
        // "é" = C3 A9: fastText XORs int8_t(0xC3) = 0xFFFFFFC3, not 0xC3
        int h = 0x811C9DC5;
        for (byte b : "é".getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (0xFFFFFF00 | (b & 0xFF))) * 16777619;
        }
        assertEquals(h, Fnv1a.fastText("é"));
        assertEquals(h, Fnv1a.fastText("é".toCharArray(), 0, 1));
    }

    @Test
    void hash64MatchesPublishedVectors() {
        assertEquals(0xcbf29ce484222325L, Fnv1a.hash64(new byte[0]));
        assertEquals(0xaf63dc4c8601ec8cL, Fnv1a.hash64("a".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(0x85944171f73967e8L, Fnv1a.hash64("foobar".getBytes(StandardCharsets.US_ASCII)));
        // bytes are unsigned here: 0xFF is XORed in as 0xFF (multiplied modulo 2^64)
        long h = 0xcbf29ce484222325L ^ 0xFF;
        h *= 0x100000001b3L;
        assertEquals(h, Fnv1a.hash64(new byte[] {(byte) 0xFF}));
    }
}
