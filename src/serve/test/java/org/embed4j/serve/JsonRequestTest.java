package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The request parser keeps only the fields an endpoint reads: a megabyte of a field nobody reads costs no more
 * than its bytes (a tree of it costs about 40 times), and an array stops being read at the batch limit.
 */
class JsonRequestTest {
    private static final Set<String> FIELDS = Set.of("texts", "text", "k");

    private static JsonRequest parse(String json, int maxBatch) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return JsonRequest.parse(BodyBytes.copyOf(b, b.length), FIELDS, maxBatch);
    }

    private static long allocated(Runnable r) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(id);
        r.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void aLargeUnreadFieldIsSkippedWithoutBeingBuilt() {
        StringBuilder json = new StringBuilder("{\"x\": [");
        for (int i = 0; i < 500_000; i++) {
            json.append(i == 0 ? "0" : ",0");
        }
        json.append("], \"y\": {\"deep\": [[[\"a\"]]]}, \"texts\": [\"good movie\"], \"k\": 2}");
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        parse(json.toString(), 8); // warm up
        BodyBytes segments = BodyBytes.copyOf(body, body.length);
        long bytes = allocated(() -> {
            JsonRequest r = JsonRequest.parse(segments, FIELDS, 8);
            assertEquals(List.of("good movie"), r.strings("texts", "text"));
            assertEquals(2, r.k(1, 10));
        });
        assertTrue(bytes < body.length, bytes + " bytes allocated to parse a " + body.length + "-byte body");
    }

    @Test
    void anArrayStopsAtTheBatchLimit() {
        StringBuilder json = new StringBuilder("{\"texts\": [");
        for (int i = 0; i < 100_000; i++) {
            json.append(i == 0 ? "" : ",").append("\"text number ").append(i).append('"');
        }
        String body = json.append("]}").toString();
        long bytes = allocated(() -> {
            ApiException e = assertThrows(ApiException.class, () -> parse(body, 16));
            assertEquals(413, e.status());
            assertTrue(e.getMessage().contains("at most 16"), e.getMessage());
        });
        assertTrue(bytes < 3L * body.length(), bytes + " bytes allocated for a " + body.length() + "-byte body");
    }

    @Test
    void utf8IsDecodedStrictlyAsTheJdkDoes() throws Exception {
        String text = "caf\u00e9 \u65e5\u672c \ud83d\ude00 \u2028 x";
        byte[] ok = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[3]; // small reads split the surrogate pair
        StringBuilder got = new StringBuilder();
        try (Utf8Reader r = new Utf8Reader(BodyBytes.copyOf(ok, ok.length))) {
            for (int n; (n = r.read(out, 0, out.length)) > 0; ) {
                got.append(out, 0, n);
            }
        }
        assertEquals(text, got.toString());
        byte[][] bad = {
            {(byte) 0x80}, // a stray continuation byte
            {(byte) 0xC0, (byte) 0xAF}, // an overlong '/'
            {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong, three bytes
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
            {(byte) 0xE6, (byte) 0x97}, // cut short
            {(byte) 0xC3, (byte) 0x28}, // a lead byte without its continuation
            {(byte) 0xFF}
        };
        for (byte[] b : bad) {
            byte[] body = new byte[b.length + 2];
            body[0] = 'a';
            System.arraycopy(b, 0, body, 1, b.length);
            body[body.length - 1] = 'z';
            assertThrows(
                    java.nio.charset.MalformedInputException.class,
                    () -> new Utf8Reader(BodyBytes.copyOf(body, body.length)).read(new char[16], 0, 16),
                    java.util.HexFormat.of().formatHex(b));
        }
    }

    @Test
    void mistakesAreFieldNamed400s() {
        assertEquals(
                "duplicate field \"k\"",
                assertThrows(ApiException.class, () -> parse("{\"k\": 1, \"k\": 2}", 8))
                        .getMessage());
        assertEquals(
                "\"texts\"[1] must be a string, got an array",
                assertThrows(
                                ApiException.class,
                                () -> parse("{\"texts\": [\"a\", [1]]}", 8).strings("texts", "text"))
                        .getMessage());
        assertEquals(
                "the body is not valid UTF-8",
                assertThrows(
                                ApiException.class,
                                () -> JsonRequest.parse(
                                        BodyBytes.copyOf(
                                                new byte[] {
                                                    '{', '"', 'k', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'
                                                },
                                                10),
                                        FIELDS,
                                        8))
                        .getMessage());
        assertTrue(assertThrows(ApiException.class, () -> parse("{\"k\": NaN}", 8))
                .getMessage()
                .contains("not valid JSON"));
        assertEquals(
                "malformed_json",
                assertThrows(ApiException.class, () -> parse("[".repeat(300), 8))
                        .code());
        assertEquals(
                "empty_body",
                assertThrows(ApiException.class, () -> parse(" \r\n", 8)).code());
    }
}
