package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The connection input with a 16-byte buffer fed a few bytes per read, so that lines, CRs and bodies fall
 * across buffer refills, compaction and growth.
 */
class Http1InputTest {
    @SuppressWarnings("StaticAssignmentOfThrowable") // the error readLine throws, never thrown from here
    private static final ApiException TOO_LONG = new ApiException(431, "header_too_large", "too long");

    /** Hands out at most {@code step} bytes per read, like a socket delivering small segments. */
    private static InputStream trickle(String s, int step) {
        ByteArrayInputStream all = new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
        return new InputStream() {
            @Override
            public int read() {
                return all.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return all.read(b, off, Math.min(len, step));
            }
        };
    }

    @Test
    void linesAndBodiesAcrossRefills() throws IOException {
        for (int step = 1; step <= 7; step++) {
            String longLine = "X-Long: " + "v".repeat(40); // longer than the buffer: it grows
            Http1Input in = new Http1Input(
                    trickle("GET / HTTP/1.1\r\n" + longLine + "\r\nbare-lf\n\r\n0123456789abcdefghijXYZ", step), 16);
            assertTrue(in.await());
            assertEquals("GET / HTTP/1.1", in.readLine(100, TOO_LONG), "step " + step);
            assertEquals(longLine, in.readLine(100, TOO_LONG), "step " + step);
            assertEquals("bare-lf", in.readLine(100, TOO_LONG), "step " + step);
            assertEquals("", in.readLine(100, TOO_LONG), "step " + step);
            byte[] body = new byte[20];
            in.readFully(body, 0, 20);
            assertArrayEquals("0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII), body, "step " + step);
            in.skip(2);
            byte[] last = new byte[1];
            in.readFully(last, 0, 1);
            assertEquals('Z', last[0], "step " + step);
            assertFalse(in.await(), "step " + step);
        }
    }

    @Test
    void limitsAndMalformedBytes() throws IOException {
        for (int step = 1; step <= 5; step++) {
            Http1Input long1 = new Http1Input(trickle("a".repeat(50) + "\r\n", step), 16);
            assertSame(TOO_LONG, assertThrows(ApiException.class, () -> long1.readLine(49, TOO_LONG)));
            Http1Input exact = new Http1Input(trickle("a".repeat(49) + "\r\n", step), 16);
            assertEquals(49, exact.readLine(49, TOO_LONG).length());
            // a CR not followed by LF, wherever the refill boundary falls
            Http1Input cr = new Http1Input(trickle("abc\rdef\r\n", step), 16);
            assertEquals(
                    400,
                    assertThrows(ApiException.class, () -> cr.readLine(100, TOO_LONG))
                            .status());
            Http1Input nul = new Http1Input(trickle("ab\0c\r\n", step), 16);
            assertEquals(
                    400,
                    assertThrows(ApiException.class, () -> nul.readLine(100, TOO_LONG))
                            .status());
            Http1Input cut = new Http1Input(trickle("no end of line", step), 16);
            assertThrows(EOFException.class, () -> cut.readLine(100, TOO_LONG));
            Http1Input shortBody = new Http1Input(trickle("abc", step), 16);
            assertThrows(EOFException.class, () -> shortBody.readFully(new byte[4], 0, 4));
        }
        assertFalse(new Http1Input(trickle("", 1), 16).await());
    }
}
