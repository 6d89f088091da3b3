package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Content-Length bodies: read whole across array growth, and memory spent only on bytes that arrived; chunk-size
 * lines take only SP/HTAB around the size.
 */
class Http1RequestTest {
    private static Http1Request post(byte[] sent, long contentLength) {
        Http1Input in = new Http1Input(new ByteArrayInputStream(sent), 16);
        return new Http1Request(
                "POST",
                "/x",
                new String[0],
                0,
                false,
                System.nanoTime(),
                contentLength,
                false,
                in,
                OutputStream.nullOutputStream());
    }

    @Test
    void aLargeBodyIsReadWhole() throws IOException {
        byte[] sent = new byte[300_001];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + i / 7);
        }
        assertArrayEquals(sent, post(sent, sent.length).body(sent.length));
    }

    @Test
    void anAnnouncedLengthIsNotAllocatedBeforeItsBytesArrive() {
        int announced = 256 << 20;
        Http1Request r = post("0123456789".getBytes(StandardCharsets.US_ASCII), announced);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThrows(EOFException.class, () -> r.body(announced));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(
                allocated < 4 << 20, allocated + " bytes allocated for 10 bytes sent of " + announced + " announced");
    }

    @Test
    void chunkSizesAllowSpaceAndTabButNoOtherControlCharacters() throws IOException {
        byte[] ok = "5 \t;ext=1\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(
                "hello".getBytes(StandardCharsets.US_ASCII), post(ok, -1).body(1024));
        byte[] verticalTab = "5\u000b\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        ApiException e =
                assertThrows(ApiException.class, () -> post(verticalTab, -1).body(1024));
        assertTrue(e.status() == 400 && e.getMessage().contains("chunk size"), e.getMessage());
    }
}
