package org.embed4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text form of checkpoint intervals: every accepted spelling, and a message naming a bad one. */
class CheckpointIntervalTest {
    @Test
    void parsesEpochsDurationsAndWordCounts() {
        assertEquals(CheckpointInterval.EPOCH, CheckpointInterval.parse("epoch"));
        assertEquals(CheckpointInterval.every(Duration.ofSeconds(30)), CheckpointInterval.parse("30s"));
        assertEquals(CheckpointInterval.every(Duration.ofMinutes(10)), CheckpointInterval.parse("10m"));
        assertEquals(CheckpointInterval.every(Duration.ofHours(2)), CheckpointInterval.parse(" 2h "));
        assertEquals(CheckpointInterval.words(500_000), CheckpointInterval.parse("500000w"));
        assertEquals(CheckpointInterval.words(500_000), CheckpointInterval.parse("500kw"));
        assertEquals(CheckpointInterval.words(2_000_000), CheckpointInterval.parse("2Mw"));
    }

    @Test
    void theTextFormReadsBack() {
        for (String text : List.of("epoch", "45s", "10m", "2h", "1234w")) {
            assertEquals(text, CheckpointInterval.parse(text).toString());
        }
        assertEquals("90s", CheckpointInterval.every(Duration.ofSeconds(90)).toString());
        assertEquals("2m", CheckpointInterval.parse("120s").toString());
    }

    @Test
    void refusesAnythingElseNamingIt() {
        for (String bad : List.of(
                "",
                "w",
                "0w",
                "-5m",
                "10",
                "10x",
                "10M",
                "1.5m",
                "10 m",
                "10mw",
                "99999999999999999999w",
                "9999999999999h")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> CheckpointInterval.parse(bad), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> CheckpointInterval.words(0));
        assertThrows(IllegalArgumentException.class, () -> CheckpointInterval.every(Duration.ofNanos(10)));
    }
}
