package org.embed4j.cli.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TensorBoard event file read back record by record: the framing's lengths and masked CRC-32Cs check (computed
 * here bit by bit from the Castagnoli polynomial, not with the writer's CRC32C), and the Event protocol buffers
 * decode to the file version, steps, tags and values written. (The tensorboard Python package is not part of the
 * build; docs/glove.md says how it was checked with it.)
 */
public class EventFileTest {
    @TempDir
    Path dir;

    /** One decoded event: step, file_version, and tag -> simple_value. */
    public record Event(double wallTime, long step, String fileVersion, Map<String, Float> scalars) {}

    @Test
    void recordsCarryValidMaskedCrcsAndTheScalarsWritten() throws IOException {
        Path file;
        try (TensorBoardListener tb = new TensorBoardListener(dir.resolve("run"))) {
            file = tb.file();
            Map<String, Object> r1 = new LinkedHashMap<>();
            r1.put("step", 10L);
            r1.put("loss", 2.5);
            r1.put("lr", 0.025);
            r1.put("elapsed_s", 1.0);
            r1.put("note", "text is skipped");
            tb.onMetrics(r1);
            tb.onMetrics(Map.of("epoch", 3, "dev_accuracy", 0.875, "loss", Double.NaN));
            tb.onMetrics(Map.of("elapsed_s", 2.0)); // nothing to write
        }
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."));
        List<Event> events = read(file);
        assertEquals(3, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(10, events.get(1).step());
        assertEquals(Map.of("loss", 2.5f, "lr", 0.025f), events.get(1).scalars());
        assertEquals(3, events.get(2).step());
        assertEquals(Map.of("dev_accuracy", 0.875f), events.get(2).scalars());
        assertTrue(Math.abs(events.get(1).wallTime() - System.currentTimeMillis() / 1000.0) < 600);
    }

    @Test
    void aTornLastRecordFailsItsCheck() throws IOException {
        Path file;
        try (EventFile f = new EventFile(dir)) {
            file = f.path();
            f.scalars(1, Map.of("loss", 1.0));
        }
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 3));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> read(file));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void maskedCrcMatchesTheTfRecordDefinition() {
        byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, crc32c(data, 0, data.length)); // the CRC-32C check value
        int c = 0xE3069283;
        assertEquals(((c >>> 15) | (c << 17)) + 0xa282ead8, EventFile.maskedCrc(data, 0, data.length));
    }

    public static List<Event> read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> out = new ArrayList<>();
        while (buf.hasRemaining()) {
            if (buf.remaining() < 12) {
                throw new IOException("truncated header at " + buf.position());
            }
            int at = buf.position();
            long len = buf.getLong();
            int lenCrc = buf.getInt();
            if (lenCrc != masked(crc32c(b, at, 8))) {
                throw new IOException("bad length CRC at " + at);
            }
            if (buf.remaining() < len + 4) {
                throw new IOException("truncated record at " + at);
            }
            byte[] data = new byte[(int) len];
            buf.get(data);
            if (buf.getInt() != masked(crc32c(data, 0, data.length))) {
                throw new IOException("bad data CRC at " + at);
            }
            out.add(decode(data));
        }
        return out;
    }

    private static Event decode(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        double wall = 0;
        long step = 0;
        String version = null;
        Map<String, Float> scalars = new LinkedHashMap<>();
        while (in.hasRemaining()) {
            long key = varint(in);
            int field = (int) (key >>> 3);
            switch (field) {
                case 1 -> wall = in.getDouble();
                case 2 -> step = varint(in);
                case 3 -> version = new String(bytes(in), StandardCharsets.UTF_8);
                case 5 -> {
                    ByteBuffer summary = ByteBuffer.wrap(bytes(in)).order(ByteOrder.LITTLE_ENDIAN);
                    while (summary.hasRemaining()) {
                        varint(summary); // field 1: value
                        ByteBuffer value = ByteBuffer.wrap(bytes(summary)).order(ByteOrder.LITTLE_ENDIAN);
                        String tag = null;
                        float v = Float.NaN;
                        while (value.hasRemaining()) {
                            long k = varint(value);
                            if (k >>> 3 == 1) {
                                tag = new String(bytes(value), StandardCharsets.UTF_8);
                            } else {
                                v = value.getFloat();
                            }
                        }
                        scalars.put(tag, v);
                    }
                }
                default -> throw new IllegalStateException("unexpected field " + field);
            }
        }
        return new Event(wall, step, version, scalars);
    }

    private static long varint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] b = new byte[(int) varint(in)];
        in.get(b);
        return b;
    }

    private static int masked(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    /** CRC-32C, reflected polynomial 0x82F63B78, bit by bit. */
    private static int crc32c(byte[] b, int off, int len) {
        int crc = 0xFFFFFFFF;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc >>> 1) ^ (0x82F63B78 & -(crc & 1));
            }
        }
        return ~crc;
    }
}
