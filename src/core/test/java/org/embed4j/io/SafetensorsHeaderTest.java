package org.embed4j.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safetensors headers that are within the size limit but must not cost memory or time far beyond their size, and
 * headers that are not UTF-8: each is refused with a message that says what is wrong with it.
 */
class SafetensorsHeaderTest {
    @TempDir
    Path dir;

    private Path file(byte[] header) throws IOException {
        Path p = dir.resolve("h.safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void aHeaderOfMillionsOfTinyValuesIsRefusedAsSuchNotAsMalformed() throws IOException {
        int n = 2_000_000;
        StringBuilder json = new StringBuilder(2 * n + 64).append("{\"t\":{\"dtype\":\"F32\",\"shape\":[");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "1" : ",1");
        }
        json.append("],\"data_offsets\":[0,4]}}");
        Path p = file(json.toString().getBytes(StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(p));
        assertTrue(e.getMessage().contains("more than " + Safetensors.MAX_HEADER_VALUES + " values"), e.getMessage());
        assertTrue(!e.getMessage().contains("not a well-formed"), e.getMessage());
    }

    @Test
    void aHeaderThatIsNotUtf8NamesTheByte() throws IOException {
        byte[] header = "{\"__metadata__\":{\"k\":\"a?b\"}}".getBytes(StandardCharsets.US_ASCII);
        header[24] = (byte) 0xc0; // the '?': an overlong lead byte
        Path p = file(header);
        IOException e = assertThrows(IOException.class, () -> Safetensors.metadata(p));
        assertTrue(
                e.getMessage().contains("byte offset 32") && e.getMessage().contains("not valid UTF-8"),
                e.getMessage());
    }

    @Test
    void aShapeOfTooManyDimensionsIsRefused() throws IOException {
        StringBuilder shape = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            shape.append(i == 0 ? "1" : ",1");
        }
        String json = "{\"t\":{\"dtype\":\"F32\",\"shape\":[" + shape + "],\"data_offsets\":[0,4]}}";
        Path p = file(json.getBytes(StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(p));
        assertTrue(e.getMessage().contains("100 dimensions"), e.getMessage());
    }
}
