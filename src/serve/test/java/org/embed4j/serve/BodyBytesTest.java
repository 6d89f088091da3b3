package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A body is held in segments of at most 64 KiB whatever its size (no G1 humongous arrays), fills them from chunks of
 * any size, and reads back byte for byte, also through the UTF-8 reader where a character straddles two segments.
 */
class BodyBytesTest {
    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Appends {@code bytes} in chunks of random sizes (1 byte to 100 KiB), as Jetty's chunks arrive. */
    private static BodyBytes fill(byte[] bytes, long announced, long seed) {
        BodyBytes body = BodyBytes.expecting(announced);
        Random r = new Random(seed);
        for (int at = 0; at < bytes.length; ) {
            int n = Math.min(bytes.length - at, r.nextBoolean() ? 1 + r.nextInt(100) : 1 + r.nextInt(100 * 1024));
            body.append(ByteBuffer.wrap(bytes, at, n));
            at += n;
        }
        return body;
    }

    @Test
    void bodiesOfAwkwardSizesReadBackInSegmentsNoLargerThan64KiB() {
        int[] sizes = {
            0,
            1,
            BodyBytes.SEGMENT - 1,
            BodyBytes.SEGMENT,
            BodyBytes.SEGMENT + 1,
            3 * BodyBytes.SEGMENT + 7,
            (1 << 20) + 13
        };
        for (int size : sizes) {
            byte[] bytes = random(size, size);
            for (long announced : new long[] {size, -1}) {
                BodyBytes body = fill(bytes, announced, 31L * size);
                assertEquals(size, body.length(), "length, announced " + announced);
                for (int i = 0; i < size; i++) {
                    if (body.at(i) != bytes[i]) {
                        throw new AssertionError("byte " + i + " of " + size + " (announced " + announced + ")");
                    }
                }
                assertTrue(
                        body.largestSegment() <= BodyBytes.SEGMENT,
                        "a segment of " + body.largestSegment() + " bytes in a body of " + size);
                // a body of known length allocates exactly its bytes; a chunked one at most one growing segment more
                long slack = announced >= 0 ? 0 : Math.max(BodyBytes.FIRST_GROWING, BodyBytes.SEGMENT);
                assertTrue(
                        body.capacity() >= size && body.capacity() <= size + slack,
                        "capacity " + body.capacity() + " for " + size + " bytes (announced " + announced + ")");
                assertEquals(body.capacity(), body.capacityFor(size), "capacityFor(length) is what was allocated");
            }
        }
    }

    @Test
    void capacityForPredictsTheGrowthOfABodyOfUnknownLength() {
        BodyBytes body = BodyBytes.expecting(-1);
        byte[] bytes = random(5 * BodyBytes.SEGMENT, 7);
        Random r = new Random(11);
        for (int at = 0; at < bytes.length; ) {
            int n = Math.min(bytes.length - at, 1 + r.nextInt(20_000));
            long predicted = body.capacityFor(body.length() + n);
            body.append(ByteBuffer.wrap(bytes, at, n));
            at += n;
            assertEquals(predicted, body.capacity(), "after " + at + " bytes");
        }
    }

    @Test
    void moreBytesThanAnnouncedAreRefused() {
        BodyBytes body = BodyBytes.expecting(10);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> body.append(ByteBuffer.wrap(new byte[11])));
        assertTrue(e.getMessage().contains("11 more bytes"), e.getMessage());
    }

    @Test
    void charactersStraddlingSegmentsDecodeAsTheJdkDoes() throws Exception {
        // a two-, three- and four-byte character (and an ASCII run) across every segment boundary in turn
        for (String c : List.of("\u00e9", "\u65e5", "\ud83d\ude00")) {
            int width = c.getBytes(StandardCharsets.UTF_8).length;
            for (int shift = 0; shift < width; shift++) {
                String text =
                        "a".repeat(BodyBytes.SEGMENT - 1 - "{\"text\":\"".length() - shift) + c + "b".repeat(100) + c;
                byte[] json = ("{\"text\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
                for (long announced : new long[] {json.length, -1}) {
                    BodyBytes body = fill(json, announced, shift);
                    assertEquals(
                            text, JsonRequest.parse(body, Set.of("text"), 8).string("text"), c + " at shift " + shift);
                }
                StringBuilder read = new StringBuilder();
                try (Utf8Reader r = new Utf8Reader(BodyBytes.copyOf(json, json.length))) {
                    char[] out = new char[7]; // odd reads: a surrogate pair is split across reads too
                    for (int n; (n = r.read(out, 0, out.length)) > 0; ) {
                        read.append(out, 0, n);
                    }
                }
                assertEquals(new String(json, StandardCharsets.UTF_8), read.toString(), c + " at shift " + shift);
            }
        }
    }

    @Test
    void aSequenceCutAtTheEndOfTheBodyIsMalformedEvenAcrossASegment() {
        byte[] json = ("{\"text\":\"" + "a".repeat(BodyBytes.SEGMENT)).getBytes(StandardCharsets.UTF_8);
        byte[] cut = java.util.Arrays.copyOf(json, json.length + 1);
        cut[json.length] = (byte) 0xE6; // the lead byte of a three-byte character, then the body ends
        ApiException e = assertThrows(
                ApiException.class, () -> JsonRequest.parse(BodyBytes.copyOf(cut, cut.length), Set.of("text"), 8));
        assertEquals("the body is not valid UTF-8", e.getMessage());
    }
}
