package org.embed4j.cli.tensorboard;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file written by hand: TFRecord framing around {@code Event} protocol buffers, only the fields
 * scalar summaries need.
 * <pre>
 *   record  = u64 length (LE) | u32 masked_crc32c(length bytes) | data | u32 masked_crc32c(data)
 *   masked  = ((crc &gt;&gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8   (32-bit)
 *   Event   = 1: wall_time double | 2: step int64 | 3: file_version string | 5: summary Summary
 *   Summary = 1: value Value (repeated)      Value = 1: tag string | 2: simple_value float
 * </pre>
 * The first record says {@code file_version "brain.Event:2"}; then one event per {@link #scalars} call. The file is an
 * append-only log that TensorBoard reads while it grows, so it is written in place (not to a temporary name): each
 * record is flushed whole, and a torn last record after a crash fails its length or CRC check and is ignored by
 * readers. Not thread-safe.
 */
public final class EventFile implements AutoCloseable {
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path path;
    private final OutputStream out;

    /** Creates {@code dir} when missing and a new event file in it, named as TensorBoard expects. */
    public EventFile(Path dir) throws IOException {
        Files.createDirectories(dir);
        String host = hostName();
        long now = System.currentTimeMillis();
        Path p = dir.resolve("events.out.tfevents." + now / 1000 + "." + host);
        for (int i = 1; Files.exists(p); i++) { // two runs within a second into one folder keep separate files
            p = dir.resolve("events.out.tfevents." + now / 1000 + "." + host + "." + i);
        }
        this.path = p;
        this.out = new BufferedOutputStream(
                Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 14);
        Proto event =
                new Proto().fixed64(1, Double.doubleToRawLongBits(now / 1000.0)).string(3, "brain.Event:2");
        write(event.bytes());
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                h = "localhost";
            }
        }
        return h.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    public Path path() {
        return path;
    }

    /** One event at {@code step} with a scalar per entry (tag → value), stamped with the current time. */
    public void scalars(long step, Map<String, Double> values) throws IOException {
        Proto summary = new Proto();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            Proto value = new Proto()
                    .string(1, e.getKey())
                    .fixed32(2, Float.floatToRawIntBits(e.getValue().floatValue()));
            summary.message(1, value);
        }
        Proto event = new Proto()
                .fixed64(1, Double.doubleToRawLongBits(System.currentTimeMillis() / 1000.0))
                .varint(2, step)
                .message(5, summary);
        write(event.bytes());
    }

    private void write(byte[] data) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(data.length);
        head.putInt(maskedCrc(head.array(), 0, 8));
        out.write(head.array());
        out.write(data);
        ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        out.write(tail.putInt(maskedCrc(data, 0, data.length)).array());
        out.flush();
    }

    /** TFRecord's masked CRC-32C of {@code b[off, off + len)}. */
    public static int maskedCrc(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** The few protocol-buffer encodings an Event needs (proto3 wire format). */
    static final class Proto {
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(64);

        Proto varint(int field, long v) {
            tag(field, 0);
            rawVarint(v);
            return this;
        }

        Proto fixed64(int field, long bits) {
            tag(field, 1);
            for (int i = 0; i < 8; i++) {
                buf.write((int) (bits >>> (8 * i)));
            }
            return this;
        }

        Proto fixed32(int field, int bits) {
            tag(field, 5);
            for (int i = 0; i < 4; i++) {
                buf.write(bits >>> (8 * i));
            }
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytes(field, m.bytes());
        }

        private Proto bytes(int field, byte[] b) {
            tag(field, 2);
            rawVarint(b.length);
            buf.writeBytes(b);
            return this;
        }

        private void tag(int field, int wireType) {
            rawVarint((long) field << 3 | wireType);
        }

        private void rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                buf.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            buf.write((int) v);
        }

        byte[] bytes() {
            return buf.toByteArray();
        }
    }
}
