package org.embed4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning keeps the first N rows, in order and bit-exact. */
class PruningTest {
    @TempDir
    Path dir;

    @Test
    void keepsTheFirstRowsInOrder() throws Exception {
        WordVectors v = RandomVectors.model(1, 250, 9);
        WordVectors p = Pruning.keepMostFrequent(v, 100);
        assertEquals(100, p.size());
        assertEquals(v.words().subList(0, 100), p.words());
        for (int r = 0; r < 100; r++) {
            assertArrayEquals(v.vector(r), p.vector(r), "row " + r);
        }
        assertFalse(p.contains("w100"));
        Path f = dir.resolve("p.e4jv");
        VectorsIO.write(p, f, VectorsFormat.NATIVE);
        WordVectors back = VectorsIO.read(f);
        assertEquals(p.words(), back.words());
        assertArrayEquals(p.vector(99), back.vector(99));
    }

    @Test
    void keepingMoreThanAllKeepsAll() {
        WordVectors v = RandomVectors.model(2, 20, 4);
        assertEquals(v.words(), Pruning.keepMostFrequent(v, 1000).words());
        assertThrows(IllegalArgumentException.class, () -> Pruning.keepMostFrequent(v, 0));
    }
}
