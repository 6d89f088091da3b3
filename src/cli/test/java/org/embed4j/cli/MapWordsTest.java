package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.NoSuchElementException;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;

/** Which words a map shows: given lists without repeats, the frequent words, query words with their neighbours. */
class MapWordsTest {
    // a and b point one way, c and d another
    private static final WordVectors V =
            WordVectors.of(List.of("a", "b", "c", "d"), new float[] {1, 0.1f, 1, 0.2f, -0.1f, 1, -0.2f, 1}, 2);

    @Test
    void nearGroupsEachQueryWithItsNeighbours() {
        MapWords m = MapWords.near(V, List.of("a", "c"), 1);
        assertEquals(List.of("a", "c", "b", "d"), m.words());
        assertArrayEquals(new int[] {0, 1, 0, 1}, m.groups());
        assertArrayEquals(new boolean[] {true, true, false, false}, m.queries());
        assertEquals(List.of("near a", "near c"), m.groupNames());
        // b is a's neighbour but a query itself: it keeps its own group
        MapWords both = MapWords.near(V, List.of("a", "b"), 1);
        assertEquals(List.of("a", "b"), both.words());
        assertArrayEquals(new int[] {0, 1}, both.groups());
    }

    @Test
    void givenAndTopWords() {
        assertEquals(List.of("a", "b"), MapWords.of(V, List.of("a", "a", "b")).words());
        assertEquals(List.of("b", "c"), MapWords.top(V, 2, 1).words());
        assertEquals(List.of("c", "d"), MapWords.top(V, 10, 2).words());
        assertThrows(NoSuchElementException.class, () -> MapWords.of(V, List.of("zzz")));
        assertThrows(IllegalArgumentException.class, () -> MapWords.top(V, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> MapWords.near(V, List.of("a"), 0));
    }
}
