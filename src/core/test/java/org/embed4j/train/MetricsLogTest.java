package org.embed4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MetricsLog's lines parsed back as JSON; the file appears under its name only when closed. */
class MetricsLogTest {
    @TempDir
    Path dir;

    @Test
    void writesValidJsonLinesAndRenamesOnClose() throws Exception {
        Path file = dir.resolve("run/m.jsonl");
        try (MetricsLog log = new MetricsLog(file)) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("step", 1L);
            r.put("loss", 2.5);
            r.put("lr", Double.NaN);
            r.put("note", "quote \" tab\t");
            log.log(r);
            r.put("step", 2L);
            r.put("loss", 1.5);
            log.onMetrics(r);
            assertFalse(Files.exists(file), "final name appears only on close");
            try (var files = Files.list(file.getParent())) {
                List<Path> tmp = files.toList();
                assertEquals(1, tmp.size(), tmp.toString());
                assertEquals(2, Files.readAllLines(tmp.get(0)).size(), "each record is flushed as it comes");
            }
            assertArrayEquals(new double[] {2.5, 1.5}, log.series("loss"));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        Map<String, Object> first = Json.parseObject(lines.get(0));
        assertEquals(new BigDecimal("1"), first.get("step"));
        assertEquals(new BigDecimal("2.5"), first.get("loss"));
        assertEquals(Json.NULL, first.get("lr"), "NaN is written as null");
        assertEquals("quote \" tab\t", first.get("note"));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }
}
